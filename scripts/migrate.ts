// npm run migrate: applies pending migrations to DATABASE_URL (npm start does this itself).
import { loadConfig } from '../src/config.ts';
import { migrate } from '../src/db/migrate.ts';

const { applied, alreadyApplied } = await migrate(loadConfig().DATABASE_URL);
console.log(applied.length ? `applied: ${applied.join(', ')}` : `up to date (${alreadyApplied} migrations)`);
