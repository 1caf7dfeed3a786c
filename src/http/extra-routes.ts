// Routers of the later modules (incidents, digests, places, OpenRosa), mounted by the app.
// One push per router, so each module adds its own line without touching the others'.
import type { AppDeps } from './deps.ts';
import type { ExtraRoutes } from './app.ts';
import { incidentsRouter } from './routes/incidents.ts';
import { exportsRouter } from './routes/exports.ts';
import { openRosaRouter } from './routes/openrosa.ts';

export function extraRoutes(deps: AppDeps): ExtraRoutes {
  const api: NonNullable<ExtraRoutes['api']> = [];
  const root: NonNullable<ExtraRoutes['root']> = [];
  api.push(['/api/incidents', incidentsRouter(deps)]);
  api.push(['/api/exports', exportsRouter(deps)]);
  root.push(openRosaRouter(deps));
  return { api, root };
}
