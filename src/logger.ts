import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'ceasefire', ...base },
    // Secrets never reach the log, whichever object carries them.
    redact: ['req.headers.authorization', 'req.headers.cookie', 'password', '*.password', 'token', '*.token'],
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
