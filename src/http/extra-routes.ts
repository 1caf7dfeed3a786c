// Routers of the later modules (incidents, digests, places, OpenRosa), mounted by the app.
import type { AppDeps } from './deps.ts';
import type { ExtraRoutes } from './app.ts';

export function extraRoutes(_deps: AppDeps): ExtraRoutes {
  return { api: [], root: [] };
}
