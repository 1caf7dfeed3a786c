import { prepareTestTemplate } from './db.ts';

// Runs once per vitest invocation: services are checked and a migrated template database is built,
// from which every integration test file clones its own database.
export default async function setup(): Promise<void> {
  await prepareTestTemplate();
}
