// npm run user:password -- --username U [--password P]: a new password for an account, on the server's own machine
// (the demo logins the first start printed, lost; an admin locked out). Prints the new password once (one is made
// when none is given), ends the account's browser sessions, audits password_reset under "cli", and tells the running
// API processes that cached credentials are stale.
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { accountIdOf } from '../src/users/index.ts';
import { PasswordReset, resetPassword } from '../src/users/admin.ts';
import { createCredentialEpoch } from '../src/auth/credential-epoch.ts';
import { systemClock } from '../src/clock.ts';
import { Invalid, NotFound, zodIssues } from '../src/errors.ts';
import { refused } from './cli-errors.ts';

const { values } = parseArgs({
  options: { username: { type: 'string' }, password: { type: 'string' } },
  strict: true,
});
const config = loadConfig();
await migrate(config.DATABASE_URL);
const db = createDb(config.DATABASE_URL, { max: 1 });
try {
  const input = PasswordReset.safeParse(values.password === undefined ? {} : { password: values.password });
  if (!input.success) throw new Invalid(zodIssues(input.error));
  const id = await accountIdOf(db, values.username ?? '');
  if (!id) throw new NotFound(`account ${values.username ?? '(give --username)'}`);
  const done = await resetPassword({ db, clock: systemClock }, null, id, input.data);
  const redis = new Redis(config.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const told = await createCredentialEpoch(redis, config.QUEUE_PREFIX, 2_000).bump();
  redis.disconnect();
  console.log(`new password for ${done.user.username}: ${done.password}`);
  console.log(`${done.sessionsEnded} browser session(s) ended`);
  if (!told) console.log('(Redis did not answer: running servers trust cached sign-ins for a few more seconds)');
} catch (err) {
  refused(err);
} finally {
  await db.$disconnect();
}
