// npm run audit:verify — walks the audit hash chain; exit 0 when intact, 1 naming the first bad row, 2 on error.
import { createDb } from '../src/db/client.ts';
import { verifyAuditChain } from '../src/audit/index.ts';

const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/ceasefire';
const db = createDb(url, { max: 2 });
try {
  const result = await verifyAuditChain(db);
  if (result.ok) {
    console.log(`audit chain intact: ${result.checked} rows checked`);
  } else {
    const bad = result.firstBad!;
    const detail = bad.reason === 'missing' ? `row deleted; the next row present is action=${bad.action}` : `action=${bad.action}`;
    console.error(`audit chain broken: first bad row seq=${bad.seq} reason=${bad.reason} (${detail}); ${result.checked} rows verified before it`);
    process.exitCode = 1;
  }
} catch (err) {
  console.error(`audit verification failed: ${(err as Error).message}`);
  process.exitCode = 2;
} finally {
  await db.$disconnect();
}
