// postinstall: generate the Prisma client offline. Prisma 7's `generate` first looks for the schema-engine
// binary (which it cannot download here) but never runs it, so any executable satisfies it.
// See ../shared/notes/prisma-offline.md.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const env = { ...process.env };
if (!env.PRISMA_SCHEMA_ENGINE_BINARY) env.PRISMA_SCHEMA_ENGINE_BINARY = process.execPath;
const prismaCli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
const run = spawnSync(process.execPath, [prismaCli, 'generate'], { cwd: root, env, stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

// Front-end libraries (Leaflet, ...) are copied from node_modules into public/vendor at install time.
const vendor = path.join(root, 'scripts', 'vendor-public.mjs');
if (existsSync(vendor)) {
  const v = spawnSync(process.execPath, [vendor], { cwd: root, stdio: 'inherit' });
  if (v.status !== 0) process.exit(v.status ?? 1);
}
