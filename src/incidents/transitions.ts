// The review workflow as data: which state may follow which. Reopening a decided incident goes back to review.
import { Conflict } from '../errors.ts';
import type { IncidentStateName } from './filters.ts';

export const TRANSITIONS: Record<IncidentStateName, readonly IncidentStateName[]> = {
  new: ['under_review', 'verified', 'rejected', 'needs_info'],
  under_review: ['verified', 'rejected', 'needs_info', 'new'],
  needs_info: ['under_review', 'verified', 'rejected'],
  verified: ['under_review'],
  rejected: ['under_review'],
};

export function canTransition(from: IncidentStateName, to: IncidentStateName): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(from: IncidentStateName, to: IncidentStateName): void {
  if (!canTransition(from, to)) {
    throw new Conflict(`an incident in state ${from} cannot become ${to}`, { from, to, allowed: TRANSITIONS[from] });
  }
}
