// npm run custody:key — prints this installation's custody public key (PEM) and its fingerprint, to publish to
// investigators so they can pin it: npm run custody:verify -- package.zip --key custody-public.pem
import { loadConfig } from '../src/config.ts';
import { createCustodySigner } from '../src/custody/keys.ts';

const config = loadConfig();
const signer = createCustodySigner(config.CUSTODY_SIGNING_KEY, config.SESSION_SECRET);
process.stdout.write(signer.publicKeyPem);
console.error(
  `fingerprint (SHA-256 of the key): ${signer.fingerprint}${config.CUSTODY_SIGNING_KEY ? '' : ' — a development key derived from SESSION_SECRET'}`,
);
