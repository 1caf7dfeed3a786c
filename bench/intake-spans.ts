// Where an accepted report's milliseconds go, measured in-process and sequentially (one request at a time,
// so queueing does not hide the service time): validation, attachment checks, the durable insert (one
// statement, one commit), and re-reading the row for the answer, against the bench database.
import { performance } from 'node:perf_hooks';
import { systemClock } from '../src/clock.ts';
import { createUser } from '../src/users/index.ts';
import { getReportRow } from '../src/reports/repository.ts';
import { submitReport, type IntakeDeps } from '../src/reports/service.ts';
import { createReportWriter } from '../src/reports/writer.ts';
import { parseReportInput } from '../src/reports/validate.ts';
import { judgeObservedAt } from '../src/reports/flags.ts';
import { prepareAttachments, stageBuffer } from '../src/attachments/prepare.ts';
import { createFileStore } from '../src/storage/files.ts';
import type { BenchWorld } from './env.ts';
import { makeFieldReport, makePhoto, seeded, uniquePhoto } from './fixtures.ts';
import { median, round } from './stats.ts';

export interface SpanFigures {
  samples: number;
  ms: Record<string, number>;
}

export async function benchIntakeSpans(world: BenchWorld, samples = 200): Promise<SpanFigures> {
  const observer = await createUser(world.db, {
    username: 'bench.spans',
    password: 'bench-spans-pass',
    role: 'observer',
  });
  const limits = { maxAttachments: 10, maxAttachmentBytes: 25 * 2 ** 20, maxNarrativeChars: 50_000 };
  const deps: IntakeDeps = {
    db: world.db,
    writer: createReportWriter(world.db),
    files: createFileStore(world.storage),
    clock: systemClock,
    limits,
  };
  const rand = seeded(7);
  const photo = await makePhoto();
  const spans: Record<string, number[]> = {
    validate: [],
    stage210kPhoto: [],
    prepare210kPhoto: [],
    storeFile: [],
    submitJson: [],
    rereadRow: [],
    submitWithPhoto: [],
  };
  const time = async <T>(name: string, fn: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    const out = await fn();
    spans[name]!.push(performance.now() - t);
    return out;
  };
  for (let i = 0; i < samples; i += 1) {
    const raw = makeFieldReport(rand);
    await time('validate', () => {
      const input = parseReportInput(raw, limits.maxNarrativeChars);
      return judgeObservedAt(input.observedAt, systemClock.now());
    });
    // An upload is staged (streamed to disk, hashed) while it arrives; that cost is the staging span here.
    const file = await time('stage210kPhoto', () =>
      stageBuffer(deps.files, uniquePhoto(photo, `span ${i}`), `IMG_${i}.jpg`),
    );
    const [prepared] = await time('prepare210kPhoto', () => prepareAttachments([file], limits));
    await time('storeFile', () => deps.files.adopt(prepared!.stagedPath, prepared!.sha256));
    const { report } = await time('submitJson', () => submitReport(deps, observer, raw, [], 'api'));
    await time('rereadRow', () => getReportRow(world.db, report.id));
    const staged = await stageBuffer(deps.files, uniquePhoto(photo, `span b ${i}`), 'b.jpg');
    await time('submitWithPhoto', () => submitReport(deps, observer, makeFieldReport(rand), [staged], 'api'));
  }
  // rereadRow is what the 201 cost before the insert returned the stored row (it is no longer part of submitJson).
  const ms = Object.fromEntries(Object.entries(spans).map(([k, v]) => [k, round(median(v), 2)]));
  return { samples, ms };
}
