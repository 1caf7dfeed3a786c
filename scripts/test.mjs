// npm test: services up (PostgreSQL, Redis, Chromium), Prisma client present, then the whole vitest suite
// (unit, integration against the real services, browser). Extra arguments go to vitest.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

run(process.execPath, ['scripts/ensure-services.mjs', '--browser']);
if (!existsSync('src/generated/prisma/client.ts')) run(process.execPath, ['scripts/prisma-generate.mjs']);
run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...process.argv.slice(2)]);
