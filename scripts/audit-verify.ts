// npm run audit:verify [-- --anchor <seq>:<hash> ...] — walks the audit hash chain and checks that it still
// holds each anchor (printed at the foot of every digest); prints the head to record as the next anchor.
// Exit 0 when intact, 1 naming the first bad row or the anchor lost, 2 on error or a malformed anchor.
import { createDb } from '../src/db/client.ts';
import {
  chainHead,
  checkAnchors,
  formatAnchor,
  parseAnchor,
  verifyAuditChain,
  type AuditAnchor,
} from '../src/audit/index.ts';

const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/ceasefire';
const args = process.argv.slice(2);
const anchors: AuditAnchor[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] !== '--anchor') continue;
  const a = parseAnchor(args[++i] ?? '');
  if (!a) {
    console.error(`not an anchor: ${args[i] ?? '(nothing)'}; expected <seq>:<64 hex digits>`);
    process.exit(2);
  }
  anchors.push(a);
}

const db = createDb(url, { max: 2 });
try {
  const result = await verifyAuditChain(db);
  if (!result.ok) {
    const bad = result.firstBad!;
    const detail =
      bad.reason === 'missing' ? `row deleted; the next row present is action=${bad.action}` : `action=${bad.action}`;
    console.error(
      `audit chain broken: first bad row seq=${bad.seq} reason=${bad.reason} (${detail}); ${result.checked} rows verified before it`,
    );
    process.exitCode = 1;
  } else {
    const lost = await checkAnchors(db, anchors);
    for (const a of lost) {
      console.error(
        `audit chain does not hold anchor ${formatAnchor(a)}: ${a.fault === 'missing' ? 'row absent (tail cut?)' : 'different hash at that row'}`,
      );
    }
    if (lost.length) process.exitCode = 1;
    else {
      const head = await chainHead(db);
      console.log(
        `audit chain intact: ${result.checked} rows checked${anchors.length ? `, ${anchors.length} anchor(s) held` : ''}`,
      );
      if (head) console.log(`head: ${formatAnchor(head)}`);
    }
  }
} catch (err) {
  console.error(`audit verification failed: ${(err as Error).message}`);
  process.exitCode = 2;
} finally {
  await db.$disconnect();
}
