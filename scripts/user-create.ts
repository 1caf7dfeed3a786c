// npm run user:create -- --username U --password P --role observer|commission|admin [--name "Display Name"] [--phone +218912345678]
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.ts';
import { createDb } from '../src/db/client.ts';
import { migrate } from '../src/db/migrate.ts';
import { createUser } from '../src/users/index.ts';
import { appendAudit } from '../src/audit/index.ts';
import { systemClock } from '../src/clock.ts';
import { refused } from './cli-errors.ts';

const { values } = parseArgs({
  options: {
    username: { type: 'string' },
    password: { type: 'string' },
    role: { type: 'string' },
    name: { type: 'string' },
    phone: { type: 'string' },
  },
  strict: true,
});
const config = loadConfig();
await migrate(config.DATABASE_URL);
const db = createDb(config.DATABASE_URL, { max: 1 });
try {
  const user = await createUser(db, {
    username: values.username ?? '',
    password: values.password ?? '',
    role: values.role as 'observer',
    displayName: values.name,
    phone: values.phone,
  });
  await appendAudit(
    db,
    { actorName: 'cli', action: 'user_created', entityType: 'user', entityId: user.id, after: user },
    systemClock,
  );
  console.log(`created ${user.role} ${user.username} (${user.id})`);
} catch (err) {
  refused(err);
} finally {
  await db.$disconnect();
}
