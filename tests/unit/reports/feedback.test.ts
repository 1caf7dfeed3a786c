import { describe, expect, it } from 'vitest';
import { observerProgress } from '../../../src/reports/feedback.ts';

describe("observerProgress: a report's state in the observer's words", () => {
  it.each([
    ['received', null, 'received'],
    ['failed', null, 'received'],
    ['processed', null, 'processed'],
    ['processed', 'new', 'in_incident'],
    ['processed', 'under_review', 'under_review'],
    ['processed', 'needs_info', 'needs_info'],
    ['processed', 'verified', 'verified'],
    ['processed', 'rejected', 'rejected'],
    // A report moved by a reviewer's split is in an incident even before it is processed again.
    ['received', 'new', 'in_incident'],
  ])('status %s, incident %s → %s', (status, state, progress) => {
    expect(observerProgress(status, state)).toBe(progress);
  });
});
