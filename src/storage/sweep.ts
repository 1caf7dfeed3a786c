// Files are written before their report commits; a process killed in between leaves a file no Attachment row
// points at. Such a file is never shown as evidence; this sweep removes it once it is clearly abandoned.
import { readdir, stat, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../db/client.ts';
import type { FileStore } from './files.ts';
import { knownHashes } from '../attachments/repository.ts';

const SHA = /^[0-9a-f]{64}$/;

/** How old an unreferenced file must be before the sweep takes it: longer than any submission takes to commit. */
export const ORPHAN_GRACE_MS = 3600_000;

async function* storedFiles(root: string): AsyncGenerator<{ sha256: string; file: string }> {
  for (const a of await readdir(root).catch(() => [] as string[])) {
    if (!/^[0-9a-f]{2}$/.test(a)) continue;
    for (const b of await readdir(path.join(root, a)).catch(() => [] as string[])) {
      for (const name of await readdir(path.join(root, a, b)).catch(() => [] as string[])) {
        if (SHA.test(name)) yield { sha256: name, file: path.join(root, a, b, name) };
      }
    }
  }
}

export async function sweepOrphanFiles(db: Db, files: FileStore, opts: { now: Date; olderThanMs: number }): Promise<number> {
  let removed = 0;
  let batch: Array<{ sha256: string; file: string }> = [];
  const flush = async () => {
    if (!batch.length) return;
    const keep = await knownHashes(db, batch.map((f) => f.sha256));
    for (const f of batch) {
      if (keep.has(f.sha256)) continue;
      const age = opts.now.getTime() - (await stat(f.file)).mtimeMs;
      if (age < opts.olderThanMs) continue; // may belong to a submission still being committed
      await rm(f.file, { force: true });
      removed += 1;
    }
    batch = [];
  };
  for await (const f of storedFiles(files.root)) {
    batch.push(f);
    if (batch.length >= 500) await flush();
  }
  await flush();
  // Temporary files of writes that never finished.
  for (const name of await readdir(files.root).catch(() => [] as string[])) {
    if (!name.startsWith('.tmp-')) continue;
    const file = path.join(files.root, name);
    if (opts.now.getTime() - (await stat(file)).mtimeMs >= opts.olderThanMs) { await rm(file, { force: true }); removed += 1; }
  }
  return removed;
}
