// What the HTTP layer needs: the process runtime (database, Redis, queues, storage, audit) plus the
// auth helpers that only the API role uses. Passed in once, as a container (as ODK Central does).
import type { doubleCsrf } from 'csrf-csrf';
import type { AppPassport } from './session.ts';
import type { TokenVerifier } from '../tokens/index.ts';
import type { AttemptLimiter, LoginLimiter } from '../auth/login-limiter.ts';
import type { SecretBox } from '../second-factor/secret-box.ts';
import type { CredentialEpoch } from '../auth/credential-epoch.ts';
import type { Runtime } from '../runtime.ts';
import type { IncidentEventHub } from '../live/hub.ts';

export interface AppDeps extends Omit<Runtime, 'close'> {
  tokens: TokenVerifier;
  loginLimiter: LoginLimiter;
  credentialEpoch: CredentialEpoch;
  secondFactor: { box: SecretBox; limiter: AttemptLimiter };
  csrf: ReturnType<typeof doubleCsrf>;
  passport: AppPassport;
  /** This process's subscription to the live incident events (GET /api/incidents/events). */
  liveEvents: IncidentEventHub;
  /** The metrics exposition this API process answers /metrics with (its own, or its cluster's). */
  metricsText: () => Promise<{ contentType: string; text: string }>;
}
