// Benchmark 1, intake: reports accepted per second and latency at 32 connections, for JSON, multipart with a
// 210 KB photo (unique bytes per request) and the OpenRosa submission ODK Collect sends. The server runs as
// its own process (ROLE=api); autocannon runs here.
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import type { BenchWorld } from './env.ts';
import { collectXml, makeFieldReport, makePhoto, multipart, seeded, uniquePhoto } from './fixtures.ts';
import { median, round } from './stats.ts';
import { measureCpu } from './cpu.ts';
import type { ServerProcess } from '../tests/helpers/processes.ts';

const medianOrNull = (xs: Array<number | null>) => (xs.every((x) => x !== null) ? median(xs as number[]) : null);

export type IntakeKind = 'json' | 'jpeg' | 'openrosa';
export interface RunFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  accepted: number;
  non2xx: number;
  errors: number;
  /** CPU µs per accepted report: the API process(es) and the PostgreSQL backends serving them. */
  apiCpuUs: number | null;
  pgCpuUs: number | null;
}
export interface KindFigures extends RunFigures {
  runs: RunFigures[];
}

interface Shape {
  path: string;
  make: (i: number, token: string) => { headers: Record<string, string>; body: Buffer | string };
}

export async function intakeShapes(_world: BenchWorld): Promise<Record<IntakeKind, Shape>> {
  const rand = seeded(2020);
  const photo = await makePhoto();
  return {
    json: {
      path: '/api/reports',
      make: (_i, token) => ({
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(makeFieldReport(rand)),
      }),
    },
    jpeg: {
      path: '/api/reports',
      make: (i, token) => {
        const r = makeFieldReport(rand);
        const boundary = `----bench${randomBytes(8).toString('hex')}`;
        const fields = Object.entries(r).map(
          ([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : String(v)] as [string, string],
        );
        const data = uniquePhoto(photo, `${r.clientId} ${i}`);
        return {
          headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
          body: multipart(boundary, fields, [{ field: 'attachments', name: `IMG_${i}.jpg`, type: 'image/jpeg', data }]),
        };
      },
    },
    openrosa: {
      // Collect with a /key/<token> server URL (the Basic variant costs a password hash per request).
      path: '/submission',
      make: (i, token) => {
        const r = makeFieldReport(rand);
        const name = `${1605331200000 + i}.jpg`;
        const boundary = `----odk${randomBytes(8).toString('hex')}`;
        return {
          headers: {
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'x-openrosa-version': '1.0',
            __key: token,
          },
          body: multipart(
            boundary,
            [],
            [
              {
                field: 'xml_submission_file',
                name: 'submission.xml',
                type: 'text/xml',
                data: Buffer.from(collectXml(r, name)),
              },
              { field: name, name, type: 'image/jpeg', data: uniquePhoto(photo, `${r.clientId}`) },
            ],
          ),
        };
      },
    },
  };
}

export async function runIntakeOnce(
  api: ServerProcess,
  world: BenchWorld,
  shape: Shape,
  seconds: number,
  connections = 32,
): Promise<RunFigures> {
  const m = await measureCpu(
    world.db,
    api.pid,
    () => loadOnce(api.url, world, shape, seconds, connections),
    (r) => r.accepted,
  );
  return { ...m.result, apiCpuUs: m.apiUsPerUnit, pgCpuUs: m.pgUsPerUnit };
}

async function loadOnce(url: string, world: BenchWorld, shape: Shape, seconds: number, connections: number) {
  let i = 0;
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: shape.path,
        setupRequest: (req: Record<string, unknown>) => {
          i += 1;
          const token = world.observers[i % world.observers.length]!.token;
          const { headers, body } = shape.make(i, token);
          const { __key, ...rest } = headers;
          return { ...req, path: __key ? `/key/${__key}${shape.path}` : shape.path, headers: rest, body };
        },
      },
    ],
  } as autocannon.Options);
  const accepted = result['2xx'] ?? 0;
  return {
    rps: round(accepted / result.duration, 1),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    accepted,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

export async function benchIntake(
  world: BenchWorld,
  api: ServerProcess,
  opts: { runs: number; seconds: number; kinds?: IntakeKind[] },
): Promise<Partial<Record<IntakeKind, KindFigures>>> {
  const shapes = await intakeShapes(world);
  const out: Partial<Record<IntakeKind, KindFigures>> = {};
  for (const kind of opts.kinds ?? (['json', 'jpeg', 'openrosa'] as IntakeKind[])) {
    const shape = shapes[kind];
    const probe = await fetch(`${api.url}/key/${world.observers[0]!.token}/submission`, { method: 'HEAD' });
    if (kind === 'openrosa' && probe.status === 404) {
      console.warn('intake.openrosa: /submission is not mounted by the api role (src/http/extra-routes.ts); skipped');
      continue;
    }
    await runIntakeOnce(api, world, shape, 2); // warm-up: JIT, connection pools, token cache
    const runs: RunFigures[] = [];
    for (let r = 0; r < opts.runs; r += 1) runs.push(await runIntakeOnce(api, world, shape, opts.seconds));
    out[kind] = {
      rps: median(runs.map((x) => x.rps)),
      p50Ms: median(runs.map((x) => x.p50Ms)),
      p99Ms: median(runs.map((x) => x.p99Ms)),
      accepted: runs.reduce((a, x) => a + x.accepted, 0),
      non2xx: runs.reduce((a, x) => a + x.non2xx, 0),
      errors: runs.reduce((a, x) => a + x.errors, 0),
      runs,
      apiCpuUs: medianOrNull(runs.map((x) => x.apiCpuUs)),
      pgCpuUs: medianOrNull(runs.map((x) => x.pgCpuUs)),
    };
  }
  return out;
}
