// The account commands' one way to say a refusal: each field's reason as the option it came from, or the domain's
// message, and a non-zero exit; anything else is a bug and is thrown.
import { DomainError, Invalid } from '../src/errors.ts';

export function refused(err: unknown): void {
  if (err instanceof Invalid) console.error(err.issues.map((i) => `--${i.field}: ${i.reason}`).join('\n'));
  else if (err instanceof DomainError) console.error(err.message);
  else throw err;
  process.exitCode = 1;
}
