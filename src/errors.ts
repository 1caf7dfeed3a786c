import type { ZodError } from 'zod';

// Typed domain errors. src/http/errors.ts maps them to HTTP in one place; domain code never speaks HTTP.
export interface FieldIssue {
  field: string;
  reason: string;
}

export class DomainError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends DomainError {
  constructor(what = 'resource') {
    super(`${what} not found`, 'not_found');
  }
}

export class Forbidden extends DomainError {
  constructor(message = 'not allowed') {
    super(message, 'forbidden');
  }
}

export class Unauthenticated extends DomainError {
  constructor(message = 'authentication required') {
    super(message, 'unauthenticated');
  }
}

/** Past the password, a second factor is still to be given (`verify`) or set up (`enroll`). */
export class SecondFactorRequired extends DomainError {
  constructor(
    readonly stage: 'verify' | 'enroll',
    message = stage === 'verify'
      ? 'second factor required: send the code from your authenticator app or a recovery code'
      : 'second factor required: set up an authenticator app before anything else',
  ) {
    super(message, 'second_factor_required');
  }
}

export class Conflict extends DomainError {
  constructor(
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message, 'conflict');
  }
}

/** Input that is well-formed but breaks a rule; `issues` name each field and the reason. */
export class Invalid extends DomainError {
  constructor(
    readonly issues: FieldIssue[],
    readonly status: 400 | 413 | 415 | 422 = 422,
  ) {
    super(issues.map((i) => `${i.field}: ${i.reason}`).join('; ') || 'invalid input', 'invalid');
  }
}

export class TooManyRequests extends DomainError {
  constructor(
    readonly retryAfterSeconds: number,
    message = 'too many attempts, try again later',
  ) {
    super(message, 'rate_limited');
  }
}

export class Unavailable extends DomainError {
  constructor(message: string) {
    super(message, 'unavailable');
  }
}

/** Every problem zod found, as field + reason (the body itself when the path is empty). */
export function zodIssues(err: ZodError): FieldIssue[] {
  return err.issues.map((i) => ({ field: i.path.join('.') || '(body)', reason: i.message }));
}
