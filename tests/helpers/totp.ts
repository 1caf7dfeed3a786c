// An authenticator app for tests: the codes of a known secret, on the server's clock. The server accepts each time
// step once (a replayed code is refused), so this hands out the current step's code, then the next step's, and
// waits for the clock when both were used: real TOTP, never switched off for tests.
import { PERIOD_SECONDS, stepAt, totpCode } from '../../src/second-factor/totp.ts';
import type { Clock } from '../../src/clock.ts';

export class Authenticator {
  constructor(
    readonly secret: string,
    private readonly clock: Clock,
    private lastStep = -1,
  ) {}

  /** A code the server has not seen yet and will accept now. */
  async code(): Promise<string> {
    for (;;) {
      const now = stepAt(this.clock.now().getTime());
      const step = Math.max(now, this.lastStep + 1);
      if (step <= now + 1) {
        this.lastStep = step;
        return totpCode(this.secret, step);
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  /** A code of a step that was already used (for replay tests). */
  usedCode(): string {
    return totpCode(this.secret, this.lastStep);
  }

  /** The code of a step `offset` steps from now, without marking it used (for window tests). */
  codeAt(offset: number): string {
    return totpCode(this.secret, stepAt(this.clock.now().getTime()) + offset);
  }
}

export { PERIOD_SECONDS };
