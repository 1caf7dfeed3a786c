import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import { dropTemplate, prepareTestTemplate } from './db.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    templateDb: string;
  }
}

// Runs once per vitest invocation: a migrated template database of its own (several runs may share
// the PostgreSQL server), from which every integration test file clones its database.
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const name = `ceasefire_tpl_${randomBytes(4).toString('hex')}`;
  await prepareTestTemplate(name);
  project.provide('templateDb', name);
  return () => dropTemplate(name);
}
