// Seeds an empty installation with demo people and a handful of reports that go through the real
// intake (outbox → workers), so a newcomer sees the whole pipeline work within seconds of starting.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Runtime } from '../runtime.ts';
import { submitReport } from '../reports/service.ts';
import { seedDemoUsers } from './users.ts';
import { listUsers } from '../users/index.ts';

const DEMO_FILE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../prisma/demo/reports.json');

interface DemoReport {
  observer: string;
  hoursAgo: number;
  lat: number | null;
  lon: number | null;
  accuracyM: number | null;
  placeName: string | null;
  partyAlleged: 'LAAF' | 'GNA' | 'foreign' | 'unknown';
  narrative: string;
}

export async function seedDemo(rt: Runtime): Promise<void> {
  const people = await seedDemoUsers(rt.db);
  if (!people) return;
  const demo = JSON.parse(await readFile(DEMO_FILE, 'utf8')) as DemoReport[];
  const users = new Map((await listUsers(rt.db)).map((u) => [u.username, u]));
  for (const d of demo) {
    const observer = users.get(d.observer);
    if (!observer) continue;
    const observedAt = new Date(rt.clock.now().getTime() - d.hoursAgo * 3600_000).toISOString();
    await submitReport(
      rt.intake,
      observer,
      {
        clientId: randomUUID(),
        observedAt,
        narrative: d.narrative,
        partyAlleged: d.partyAlleged,
        ...(d.lat !== null && d.lon !== null ? { lat: d.lat, lon: d.lon } : {}),
        ...(d.accuracyM !== null ? { accuracyM: d.accuracyM } : {}),
        ...(d.placeName ? { placeName: d.placeName } : {}),
      },
      [],
      'api',
    );
  }
  const lines = people.map((p) => `    ${p.role.padEnd(10)} ${p.username.padEnd(10)} ${p.password}`);
  // Printed on stdout on purpose: the operator needs these once, and they are never stored in clear.
  console.log(
    [
      '',
      '  Demo installation seeded. Log in at http://localhost:' + rt.config.PORT + '/ with:',
      '    role       username   password',
      ...lines,
      '  (set DEMO_<USERNAME>_PASSWORD to choose them; create more with npm run user:create)',
      '  The commission and admin accounts sign in at http://localhost:' +
        rt.config.PORT +
        '/review/ with a second factor:',
      '  on the first sign-in they are led through setting up an authenticator app (TOTP: scan the QR code, type a',
      '  code, keep the recovery codes shown once).',
      '',
    ].join('\n'),
  );
}
