// Place autocomplete over the gazetteer (any logged-in user: observers pick a place when they have no fix).
import { Router } from 'express';
import type { AppDeps } from '../deps.ts';
import { z } from '../zod.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { requireUser } from '../auth-middleware.ts';
import { loadAgreement } from '../../agreements/index.ts';
import { loadGazetteer, searchPlaces } from '../../classify/places.ts';
import { Invalid, zodIssues } from '../../errors.ts';

const PlacesQuery = z.object({
  q: z.string().trim().min(1).max(100).openapi({ description: 'Start of a place name in English, Arabic or a transliteration' }),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});
const PlaceSuggestion = z.object({
  id: z.string(), name: z.string(), nameAr: z.string(), lat: z.number(), lon: z.number(), kind: z.string(), matched: z.string(),
}).openapi('PlaceSuggestion');

registry.registerPath({ method: 'get', path: '/api/places', tags: ['places'], summary: 'Search the gazetteer', security,
  request: { query: PlacesQuery },
  responses: { 200: { description: 'Best matches first', content: { 'application/json': { schema: z.object({ items: z.array(PlaceSuggestion) }) } } }, ...errorResponses(400, 401) } });

export function placesRouter(deps: AppDeps): Router {
  const r = Router();
  const gazetteer = loadGazetteer(loadAgreement(deps.config.AGREEMENT_ID).gazetteer);
  r.get('/', (req, res) => {
    requireUser(req);
    const q = PlacesQuery.safeParse(req.query);
    if (!q.success) throw new Invalid(zodIssues(q.error), 400);
    res.json({ items: searchPlaces(q.data.q, q.data.limit, gazetteer) });
  });
  return r;
}
