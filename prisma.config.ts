import { defineConfig } from 'prisma/config';

// The datasource URL lives here in Prisma 7. Migrations are applied offline by src/db/migrate.ts;
// this config is what Prisma's own CLI reads where its engines are available.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/ceasefire' },
});
