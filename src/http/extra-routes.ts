// Routers of the later modules (incidents, digests, places, OpenRosa), mounted by the app.
// One push per router, so each module adds its own line without touching the others'.
import type { AppDeps } from './deps.ts';
import type { ExtraRoutes } from './app.ts';
import { incidentsRouter } from './routes/incidents.ts';
import { exportsRouter } from './routes/exports.ts';
import { digestsRouter } from './routes/digests.ts';
import { openRosaRouter } from './routes/openrosa.ts';
import { jobsRouter } from './routes/jobs.ts';
import { placesRouter } from './routes/places.ts';
import { reportCorrectionsRouter } from './routes/report-classification.ts';

export function extraRoutes(deps: AppDeps): ExtraRoutes {
  const api: NonNullable<ExtraRoutes['api']> = [];
  const root: NonNullable<ExtraRoutes['root']> = [];
  api.push(['/api/incidents', incidentsRouter(deps)]);
  api.push(['/api/exports', exportsRouter(deps)]);
  api.push(['/api/digests', digestsRouter(deps)]);
  api.push(['/api/jobs', jobsRouter(deps)]);
  api.push(['/api/places', placesRouter(deps)]);
  api.push(['/api/reports', reportCorrectionsRouter(deps)]);
  root.push(openRosaRouter(deps));
  return { api, root };
}
