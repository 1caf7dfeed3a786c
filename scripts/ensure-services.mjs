// Makes sure PostgreSQL and Redis answer on localhost (starting them the way this machine kind does),
// and that Debian's Chromium is there for the browser tests. Safe to run when all is already up.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const quiet = { stdio: 'ignore' };
const ok = (cmd, args) => spawnSync(cmd, args, quiet).status === 0;
const has = (cmd) => ok('sh', ['-c', `command -v ${cmd}`]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function waitFor(name, check, seconds = 30) {
  for (let i = 0; i < seconds * 4; i++) {
    if (check()) return;
    await sleep(250);
  }
  throw new Error(`${name} did not come up`);
}

const pgUp = () => ok('pg_isready', ['-q', '-h', '127.0.0.1', '-p', '5432']);
const redisUp = () => ok('redis-cli', ['-h', '127.0.0.1', '-p', '6379', 'ping']);

if (has('pg_isready') && !pgUp() && existsSync('/etc/postgresql')) {
  const version = readdirSync('/etc/postgresql')[0];
  console.log(`starting PostgreSQL ${version}`);
  execSync(`pg_ctlcluster --skip-systemctl-redirect ${version} main start`, { stdio: 'inherit' });
  await waitFor('PostgreSQL', pgUp);
}
if (has('redis-cli') && !redisUp() && has('redis-server')) {
  console.log('starting Redis');
  execSync(
    'redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log',
    { stdio: 'inherit' },
  );
  await waitFor('Redis', redisUp);
}
if (process.argv.includes('--browser') && !existsSync('/usr/bin/chromium')) {
  if (process.getuid?.() === 0 && has('apt-get')) {
    console.log('installing Debian chromium for the browser tests');
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null', {
      stdio: 'inherit',
    });
  } else {
    console.warn('chromium is missing and cannot be installed here: apt-get install -y chromium');
  }
}
