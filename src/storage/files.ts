// Content-addressed file store: <dir>/<aa>/<bb>/<sha256>. A file is written to a temporary name, fsynced and
// renamed into place, so a crash never leaves a half-written file under a content address; the directory is
// fsynced too, or a power cut could lose the new name after the report that cites it has committed.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync } from 'node:fs';
import { mkdir, open, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface FileStore {
  /** `sha256` may be passed when the caller has already hashed the bytes (intake does, to check them). */
  put(data: Buffer, sha256?: string): Promise<{ sha256: string; sizeBytes: number }>;
  /**
   * A fresh temporary path in the store for a file being received (uploads stream there, never into memory);
   * the sweep removes one left behind. `adopt` moves it under its content address once its report is accepted.
   */
  stagePath(): string;
  /** Makes a fully written staged file durable under `sha256`; when that content is already stored the copy is dropped. */
  adopt(stagedPath: string, sha256: string): Promise<void>;
  pathOf(sha256: string): string;
  exists(sha256: string): Promise<boolean>;
  read(sha256: string): NodeJS.ReadableStream;
  remove(sha256: string): Promise<void>;
  root: string;
}

const SHA = /^[0-9a-f]{64}$/;

const touch = (file: string) => utimes(file, new Date(), new Date()).catch(() => undefined);

export function createFileStore(root: string): FileStore {
  const abs = path.resolve(root);
  mkdirSync(abs, { recursive: true }); // staged uploads are written straight into the root
  const pathOf = (sha256: string) => {
    if (!SHA.test(sha256)) throw new Error('invalid content address');
    return path.join(abs, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  };
  const exists = async (sha256: string) => stat(pathOf(sha256)).then(() => true, () => false);
  // 65,536 directories at most: each is created once per process, not once per file.
  const made = new Set<string>();
  const stagePath = () => path.join(abs, `.tmp-${randomBytes(8).toString('hex')}`);
  async function adopt(staged: string, sha256: string): Promise<void> {
    const final = pathOf(sha256);
    if (await exists(sha256)) {
      // The stored copy is fresh again: an erasure removing the last reference to it now leaves it to the sweep,
      // which waits out the grace period, instead of deleting the file this report is about to cite.
      await rm(staged, { force: true });
      await touch(final);
      return;
    }
    const dir = path.dirname(final);
    if (!made.has(dir)) { await mkdir(dir, { recursive: true }); made.add(dir); }
    const fh = await open(staged, 'r+');
    try { await fh.sync(); } finally { await fh.close(); }
    await rename(staged, final).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      await mkdir(dir, { recursive: true }); // removed behind this process's back (restore, cleanup)
      await rename(staged, final);
    });
    const dh = await open(dir, 'r');
    try { await dh.sync(); } finally { await dh.close(); }
  }
  return {
    root: abs,
    pathOf,
    exists,
    stagePath,
    async put(data, known) {
      const sha256 = known ?? createHash('sha256').update(data).digest('hex');
      if (await exists(sha256)) {
        await touch(pathOf(sha256));
        return { sha256, sizeBytes: data.length };
      }
      const tmp = stagePath();
      await writeFile(tmp, data, { mode: 0o640 });
      await adopt(tmp, sha256);
      return { sha256, sizeBytes: data.length };
    },
    adopt,
    read: (sha256) => createReadStream(pathOf(sha256)),
    remove: (sha256) => rm(pathOf(sha256), { force: true }),
  };
}
