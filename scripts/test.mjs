// npm test: the linter (ESLint and Prettier's check, as `npm run lint`), services up (PostgreSQL, Redis, Chromium),
// Prisma client present, then the whole vitest suite (unit, integration against the real services, browser). Extra
// arguments go to vitest; with them (a part of the suite while working) the lint is left to `npm run lint`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

const args = process.argv.slice(2);
if (args.length === 0) {
  run(process.execPath, ['node_modules/eslint/bin/eslint.js', '.']);
  run(process.execPath, ['node_modules/prettier/bin/prettier.cjs', '--check', '.']);
}
run(process.execPath, ['scripts/ensure-services.mjs', '--browser']);
if (!existsSync('src/generated/prisma/client.ts')) run(process.execPath, ['scripts/prisma-generate.mjs']);
run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args]);
