// npm run custody:verify -- <package.zip> [--key <public-key.pem>]
// Verifies an incident's custody package offline: every file's SHA-256 against the manifest, the manifest against
// its Ed25519 signature (and, with --key, that it was signed by that key), and each audit row against its hash.
// Exit 0 when intact; 1 naming every failure (tampered file, manifest, signature, audit row); 2 on a usage error or
// a file that is not a readable zip.
import { readFileSync } from 'node:fs';
import { verifyCustodyPackage } from '../src/custody/verify.ts';

const args = process.argv.slice(2);
const keyAt = args.indexOf('--key');
const keyFile = keyAt >= 0 ? args[keyAt + 1] : undefined;
const file = args.find((a, i) => !a.startsWith('--') && (keyAt < 0 || i !== keyAt + 1));
if (!file || (keyAt >= 0 && !keyFile)) {
  console.error('usage: npm run custody:verify -- <package.zip> [--key <public-key.pem>]');
  process.exit(2);
}

try {
  const r = await verifyCustodyPackage(file, keyFile ? { publicKeyPem: readFileSync(keyFile, 'utf8') } : {});
  if (!r.ok) {
    console.error(`custody package NOT verified: ${file}`);
    for (const f of r.failures) console.error(`  FAILED ${f}`);
    process.exitCode = 1;
  } else {
    console.log(`custody package verified: ${file}`);
    console.log(`  incident ${r.incidentId}: ${r.reports} report(s), ${r.files} file(s) byte for byte`);
    console.log(`  audit: ${r.auditRows} row(s), ${r.auditRowsRecomputed} recomputed from their content`);
    console.log(`  signed with Ed25519 key ${r.fingerprint}${keyFile ? ' (the key given)' : ''}`);
    if (r.anchor)
      console.log(
        `  anchor ${r.anchor.seq}:${r.anchor.hash} (on the server: npm run audit:verify -- --anchor ${r.anchor.seq}:${r.anchor.hash})`,
      );
  }
} catch (err) {
  console.error(`cannot read ${file}: ${(err as Error).message}`);
  process.exitCode = 2;
}
