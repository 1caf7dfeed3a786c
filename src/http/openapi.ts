// One registry: each router registers its paths with the same zod schemas it validates with. Schemas are plain zod
// everywhere, the domain's and the routers' alike, named and described for the document with zod's own
// .meta({ id, description, ... }), which the generator reads: no extension of zod to register, and no order in which
// modules must load.
import { OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

export const registry = new OpenAPIRegistry();

registry.registerComponent('securitySchemes', 'bearer', {
  type: 'http',
  scheme: 'bearer',
  description: 'Personal API token from POST /api/auth/token',
});
registry.registerComponent('securitySchemes', 'session', {
  type: 'apiKey',
  in: 'cookie',
  name: 'cf.sid',
  description: 'Browser session; unsafe methods also need the x-csrf-token header',
});

export const ErrorBody = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      issues: z.array(z.object({ field: z.string(), reason: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

export const errorResponses = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      c,
      {
        description:
          (
            {
              400: 'Malformed request',
              401: 'Not authenticated',
              403: 'Not allowed for this role',
              404: 'Not found',
              409: 'Conflict',
              413: 'Too large',
              415: 'Unsupported media type',
              422: 'Invalid field',
              429: 'Rate limited',
            } as Record<number, string>
          )[c] ?? 'Error',
        content: { 'application/json': { schema: ErrorBody } },
      },
    ]),
  );

export const security: Array<Record<string, string[]>> = [{ bearer: [] }, { session: [] }];

let cached: object | undefined;
export function openApiDocument(): object {
  cached ??= new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'Ceasefire monitoring API',
      version: '1.0.0',
      description:
        'Incident reporting for the Joint Military Commission and UN observers (Libya, 23 October 2020 ceasefire).',
    },
    servers: [{ url: '/' }],
  });
  return cached;
}
