// ODK Collect's setup by QR code, in ODK Central's format: the settings JSON, compressed with zlib and base64-encoded,
// which Collect reads with "Configure with QR code". The server URL carries the observer's key (/key/<token>), as
// Central's app users do, so the phone needs no password typed on a small keyboard.
import { deflateSync, inflateSync } from 'node:zlib';
import QRCode from 'qrcode';
import { appendAudit } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { Db } from '../db/client.ts';
import { Conflict, NotFound } from '../errors.ts';
import { issueToken } from '../tokens/index.ts';
import type { AuthUser } from '../users/index.ts';
import { lockAccount } from '../users/repository.ts';

export interface CollectSettings {
  general: { server_url: string; form_update_mode: 'match_exactly'; autosend: 'wifi_and_cellular' };
  project: { name: string; icon: string; color: string };
  admin: Record<string, never>;
}

export function collectSettings(serverUrl: string, projectName: string): CollectSettings {
  return {
    // Forms on the phone follow the server's list: the follow-up form's choices stay current.
    general: { server_url: serverUrl, form_update_mode: 'match_exactly', autosend: 'wifi_and_cellular' },
    project: { name: projectName, icon: '🕊', color: '#0b3d5c' },
    admin: {},
  };
}

export const encodeSettings = (s: CollectSettings): string => deflateSync(JSON.stringify(s)).toString('base64');
export const decodeSettings = (payload: string): CollectSettings =>
  JSON.parse(inflateSync(Buffer.from(payload, 'base64')).toString('utf8')) as CollectSettings;

/** The QR code as an SVG document; a low error correction keeps the modules large enough for old phone cameras. */
export function settingsQrSvg(payload: string): Promise<string> {
  return QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'L', margin: 2 });
}

export interface OdkSetupDeps {
  db: Db;
  clock: Clock;
  /** Where phones reach the server (PUBLIC_URL; the request's own origin in development). */
  origin: string;
  /** The project's name in Collect: the agreement's title, then the observer's username. */
  title: string;
  /** How long a setup code made by an admin for someone else stays good if nobody scans it. */
  claimMinutes: number;
}

export interface OdkSetup {
  tokenId: string;
  serverUrl: string;
  payload: string;
  svg: string;
  /** The code works only if first used by then (a code an admin made for an observer); null: no such limit. */
  claimBy: string | null;
}

/**
 * ODK Collect's setup for an observer: a new token of their own (revocable like any) in Collect's settings, and its QR
 * code. An observer makes one for themselves; an admin makes one for an observer (a new observer without a laptop):
 * then the code must be scanned within `claimMinutes`, and the audit row names the admin and the observer. Only an
 * active observer account gets one. The token and its audit row commit together.
 */
export async function odkSetup(
  deps: OdkSetupDeps,
  actor: Pick<AuthUser, 'id' | 'username'>,
  observerId: string = actor.id,
): Promise<OdkSetup> {
  const forOther = observerId !== actor.id;
  const now = deps.clock.now();
  const claimBy = forOther ? new Date(now.getTime() + deps.claimMinutes * 60_000) : null;
  const { owner, created } = await deps.db.$transaction(async (tx) => {
    const owner = await lockAccount(tx, observerId);
    if (!owner) throw new NotFound('user');
    if (owner.role !== 'observer')
      throw new Conflict(`ODK Collect is set up for observer accounts; this one is ${owner.role}`, {
        reason: 'not_an_observer',
      });
    if (owner.disabledAt) throw new Conflict('the account is disabled', { reason: 'account_disabled' });
    const created = await issueToken(tx, observerId, `ODK Collect ${now.toISOString().slice(0, 10)}`, claimBy);
    await appendAudit(
      tx,
      {
        actorId: actor.id,
        actorName: actor.username,
        action: 'token_created',
        entityType: 'api_token',
        entityId: created.id,
        after: { purpose: 'odk_setup', ...(forOther ? { ownerId: observerId, claimBy: claimBy!.toISOString() } : {}) },
      },
      deps.clock,
    );
    return { owner, created };
  });
  // The configured public origin, never a Host header: the key must not be sent to a forged host.
  const serverUrl = `${deps.origin}/key/${encodeURIComponent(created.token)}`;
  const payload = encodeSettings(collectSettings(serverUrl, `${deps.title} — ${owner.username}`));
  return {
    tokenId: created.id,
    serverUrl,
    payload,
    svg: await settingsQrSvg(payload),
    claimBy: claimBy?.toISOString() ?? null,
  };
}
