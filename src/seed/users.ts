// A demo installation needs people to log in as; passwords are random unless given, and printed once.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.ts';
import { countUsers, createUser, type Role } from '../users/index.ts';

export interface SeededUser {
  username: string;
  password: string;
  role: Role;
}

export async function seedDemoUsers(db: Db, env: NodeJS.ProcessEnv = process.env): Promise<SeededUser[] | null> {
  if ((await countUsers(db)) > 0) return null;
  const pw = (name: string) => env[`DEMO_${name.toUpperCase()}_PASSWORD`] ?? randomBytes(9).toString('base64url');
  const people: SeededUser[] = [
    { username: 'admin', password: pw('admin'), role: 'admin' },
    { username: 'commission', password: pw('commission'), role: 'commission' },
    { username: 'observer', password: pw('observer'), role: 'observer' },
    { username: 'observer2', password: pw('observer2'), role: 'observer' },
  ];
  for (const p of people) await createUser(db, { ...p, displayName: `Demo ${p.role}` });
  return people;
}
