// What the content-addressed store must look like once requests have ended, whatever failed on the way:
// every Attachment row's file is there with the bytes its hash names, nothing is left staged (.tmp-*), and
// once the orphan sweep's grace has passed no stored file lacks an Attachment row. Read from the disk and the
// database as they are; a cascading foreign key cannot make any of these true by itself.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '../../src/db/client.ts';
import type { FileStore } from '../../src/storage/files.ts';
import { ORPHAN_GRACE_MS, sweepOrphanFiles } from '../../src/storage/sweep.ts';

const SHA = /^[0-9a-f]{64}$/;

export interface StoreListing {
  stored: string[];
  staged: string[];
}

/** Files under content addresses (<root>/aa/bb/<sha256>) and staged uploads (<root>/.tmp-*). */
export async function listStore(root: string): Promise<StoreListing> {
  const stored: string[] = [];
  const names = await readdir(root).catch(() => [] as string[]);
  for (const a of names.filter((n) => /^[0-9a-f]{2}$/.test(n))) {
    for (const b of await readdir(path.join(root, a))) {
      for (const name of await readdir(path.join(root, a, b))) if (SHA.test(name)) stored.push(name);
    }
  }
  return { stored: stored.sort(), staged: names.filter((n) => n.startsWith('.tmp-')).sort() };
}

/**
 * Every way the store and the Attachment rows disagree, as readable lines (empty when they agree): a row whose
 * file is missing or holds other bytes, a stored file whose bytes do not hash to its name, and, with
 * `orphans: true`, a stored file no row points at.
 */
export async function storeProblems(db: Db, files: FileStore, opts: { orphans: boolean }): Promise<string[]> {
  const problems: string[] = [];
  const rows = await db.attachment.findMany({ select: { id: true, sha256: true, sizeBytes: true } });
  const { stored } = await listStore(files.root);
  const onDisk = new Set(stored);
  for (const row of rows) {
    if (!onDisk.has(row.sha256)) {
      problems.push(`attachment ${row.id}: no file ${row.sha256}`);
      continue;
    }
    const size = (await readFile(files.pathOf(row.sha256))).length;
    if (size !== row.sizeBytes) problems.push(`attachment ${row.id}: file of ${size} bytes, row says ${row.sizeBytes}`);
  }
  const referenced = new Set(rows.map((r) => r.sha256));
  for (const sha of stored) {
    const actual = createHash('sha256')
      .update(await readFile(files.pathOf(sha)))
      .digest('hex');
    if (actual !== sha) problems.push(`stored file ${sha} holds bytes hashing to ${actual}`);
    if (opts.orphans && !referenced.has(sha)) problems.push(`stored file ${sha}: no attachment row`);
  }
  return problems;
}

/** Runs the orphan sweep as it runs once its grace has passed for everything on disk now; returns what it removed. */
export function sweepPastGrace(db: Db, files: FileStore): Promise<number> {
  return sweepOrphanFiles(db, files, {
    now: new Date(Date.now() + ORPHAN_GRACE_MS + 60_000),
    olderThanMs: ORPHAN_GRACE_MS,
  });
}
