// HTTP adapter for places (src/classify/places.ts): autocomplete over the agreement's gazetteer (any logged-in user:
// observers pick a place when they have no fix).
import { Router } from 'express';
import { z } from 'zod';
import type { AppDeps } from '../deps.ts';
import { errorResponses, registry, security } from '../openapi.ts';
import { signedIn } from '../auth-middleware.ts';
import { validate } from '../validate.ts';
import { loadAgreement } from '../../agreements/index.ts';
import { loadGazetteer, searchPlaces } from '../../classify/places.ts';

const PlacesQuery = z.object({
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .meta({ description: 'Start of a place name in English, Arabic or a transliteration' }),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});
const PlaceSuggestion = z
  .object({
    id: z.string(),
    name: z.string(),
    nameAr: z.string(),
    lat: z.number(),
    lon: z.number(),
    kind: z.string(),
    matched: z.string(),
  })
  .meta({ id: 'PlaceSuggestion' });

registry.registerPath({
  method: 'get',
  path: '/api/places',
  tags: ['places'],
  summary: 'Search the gazetteer',
  security,
  request: { query: PlacesQuery },
  responses: {
    200: {
      description: 'Best matches first',
      content: { 'application/json': { schema: z.object({ items: z.array(PlaceSuggestion) }) } },
    },
    ...errorResponses(400, 401),
  },
});

const Search = validate({ query: PlacesQuery });

export function placesRouter(deps: AppDeps): Router {
  const r = Router();
  const gazetteer = loadGazetteer(loadAgreement(deps.config.AGREEMENT_ID).gazetteer);
  r.get('/', signedIn, Search, (req, res) => {
    const { q, limit } = Search.input(req).query;
    res.json({ items: searchPlaces(q, limit, gazetteer) });
  });
  return r;
}
