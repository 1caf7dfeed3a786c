// The review workflow as a table: every (from, to) pair, allowed or a Conflict.
import { describe, expect, it } from 'vitest';
import { Conflict } from '../../../src/errors.ts';
import { INCIDENT_STATES } from '../../../src/incidents/filters.ts';
import { assertTransition, canTransition } from '../../../src/incidents/transitions.ts';

const ALLOWED = new Set([
  'new>under_review',
  'new>verified',
  'new>rejected',
  'new>needs_info',
  'under_review>verified',
  'under_review>rejected',
  'under_review>needs_info',
  'under_review>new',
  'needs_info>under_review',
  'needs_info>verified',
  'needs_info>rejected',
  'verified>under_review',
  'rejected>under_review',
]);

describe('incident state transitions', () => {
  for (const from of INCIDENT_STATES) {
    for (const to of INCIDENT_STATES) {
      if (from === to) continue;
      const ok = ALLOWED.has(`${from}>${to}`);
      it(`${from} → ${to}: ${ok ? 'allowed' : 'conflict'}`, () => {
        expect(canTransition(from, to)).toBe(ok);
        if (ok) expect(() => assertTransition(from, to)).not.toThrow();
        else expect(() => assertTransition(from, to)).toThrow(Conflict);
      });
    }
  }
});
