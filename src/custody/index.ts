// Custody packages: one signed zip per incident with its original files, their hashes, EXIF and receipt times, the
// observers (pseudonymised unless the requester may see names) and every audit row touching it; verified offline.
export { createCustodySigner, parseSigningKey, publicKeyFingerprint, type CustodySigner } from './keys.ts';
export { buildManifest, startCustodyPackage, type CustodyDeps } from './package.ts';
export { verifyCustodyPackage, type CustodyVerification } from './verify.ts';
export * from './manifest.ts';
