import { describe, expect, it } from 'vitest';
import {
  AUDIT_ACTIONS,
  auditHash,
  canonicalJson,
  GENESIS_HASH,
  isAuditAction,
  sha256Hex,
} from '../../../src/audit/index.ts';

const row = {
  seq: 1n,
  at: new Date('2021-01-10T08:00:00.123Z'),
  actorId: null,
  actorName: 'reviewer1',
  action: 'incident_state_changed',
  entityType: 'incident',
  entityId: 'i1',
  before: { state: 'new' },
  after: { state: 'verified', terms: ['hostilities'] },
};

describe('audit hashing', () => {
  it('hashes prevHash followed by the canonical content, keys sorted at every depth', () => {
    const expected = sha256Hex(
      GENESIS_HASH +
        '{"action":"incident_state_changed","actorId":null,"actorName":"reviewer1",' +
        '"after":{"state":"verified","terms":["hostilities"]},"at":"2021-01-10T08:00:00.123Z","before":{"state":"new"},' +
        '"entityId":"i1","entityType":"incident","seq":"1"}',
    );
    expect(auditHash(GENESIS_HASH, row)).toBe(expected);
  });

  it('ignores the key order of before/after (jsonb reorders keys) but not their values', () => {
    const reordered = { ...row, after: { terms: ['hostilities'], state: 'verified' } };
    expect(auditHash(GENESIS_HASH, reordered)).toBe(auditHash(GENESIS_HASH, row));
    expect(auditHash(GENESIS_HASH, { ...row, after: { state: 'rejected', terms: ['hostilities'] } })).not.toBe(
      auditHash(GENESIS_HASH, row),
    );
    expect(auditHash('f'.repeat(64), row)).not.toBe(auditHash(GENESIS_HASH, row));
    expect(auditHash(GENESIS_HASH, { ...row, seq: 2n })).not.toBe(auditHash(GENESIS_HASH, row));
  });

  it('writes canonical JSON with sorted keys and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: undefined, c: [2, 1] } })).toBe('{"a":{"c":[2,1]},"b":1}');
  });

  it('knows the actions other modules record', () => {
    expect(AUDIT_ACTIONS).toEqual(
      expect.arrayContaining([
        'login',
        'login_failed',
        'logout',
        'token_created',
        'token_revoked',
        'user_created',
        'user_updated',
        'incident_state_changed',
        'incident_corrected',
        'incident_assigned',
        'incident_merged',
        'report_split',
        'comment_added',
        'export_downloaded',
        'digest_created',
      ]),
    );
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    expect(isAuditAction('digest_created')).toBe(true);
    expect(isAuditAction('incident_deleted')).toBe(false);
  });
});
