// SMS intake: a gateway's POST becomes a stored message first (never lost), then, from a registered observer's phone
// and in the compact syntax (syntax.ts), a report through the same intake as every channel (src/reports/service.ts)
// and so the same pipeline. Messages from unknown numbers, that do not parse or that intake refuses are held for an
// admin, who retries one (after registering the number, say) or dismisses it; both audited.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { appendAudit, type Clock } from '../audit/index.ts';
import type { Db } from '../db/client.ts';
import { Conflict, DomainError, NotFound, TooManyRequests } from '../errors.ts';
import { decodeCursor, keysetPage } from '../db/keyset.ts';
import { submitReport, type IntakeDeps } from '../reports/service.ts';
import { canFileReport } from '../auth/policies.ts';
import { findByPhone } from '../users/repository.ts';
import type { AuthUser } from '../users/index.ts';
import type { InboundSms } from './inbound.ts';
import { normalizePhone } from './phone.ts';
import type { ReplyKind } from './reply.ts';
import { parseSmsReport, type SmsLanguage } from './syntax.ts';
import {
  findByDedupKey,
  findMessage,
  HELD,
  insertMessage,
  listMessages,
  settleMessage,
  type SmsRow,
  type SmsStatus,
} from './repository.ts';

export interface SmsDeps {
  db: Db;
  clock: Clock;
  intake: IntakeDeps;
  random?: (n: number) => Buffer;
}

export interface SmsOutcome {
  message: SmsRow;
  language: SmsLanguage;
  reply: ReplyKind;
}

// Crockford's base32: no I, L, O or U, so a code read out over a bad line is not mistaken.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A receipt code: 8 characters (40 random bits), e.g. SMS-7K3QXW2A. */
export function receiptCode(random: (n: number) => Buffer = randomBytes): string {
  let bits = 0n;
  for (const b of random(5)) bits = (bits << 8n) | BigInt(b);
  let code = '';
  for (let i = 0; i < 8; i++) code = CROCKFORD[Number((bits >> BigInt(5 * i)) & 31n)] + code;
  return `SMS-${code}`;
}

/** The clientId of the report a message files: fixed by the message, so a retry of it is the same report. */
function clientIdOf(messageId: string): string {
  const h = createHash('sha256').update(`sms:${messageId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function dedupKeyOf(inbound: InboundSms, phone: string): string | null {
  if (inbound.messageId) return `${inbound.gateway}:${inbound.messageId}`;
  if (!inbound.sentAt) return null;
  const h = createHash('sha256').update(`${phone}\n${inbound.sentAt.toISOString()}\n${inbound.text}`).digest('hex');
  return `hash:${h}`;
}

/** Stores and reads a gateway's message. A gateway's retry of a stored message gets the answer the first one got. */
export async function receiveSms(deps: SmsDeps, inbound: InboundSms): Promise<SmsOutcome> {
  const phone = normalizePhone(inbound.sender);
  const dedupKey = dedupKeyOf(inbound, phone);
  const stored = await insertMessage(deps.db, {
    id: randomUUID(),
    receiptCode: receiptCode(deps.random),
    dedupKey,
    gateway: inbound.gateway,
    sender: inbound.sender,
    phone,
    text: inbound.text,
    sentAt: inbound.sentAt,
    receivedAt: deps.clock.now(),
  });
  const message = stored ?? (await findByDedupKey(deps.db, dedupKey!))!;
  // A retry of a message read to the end is answered from what is stored; one cut off half-way is read again.
  if (!stored && message.status !== 'received') return describe(message);
  return readMessage(deps, message);
}

/** What a stored message's outcome says to its sender. */
function describe(message: SmsRow): SmsOutcome {
  const parsed = parseSmsReport(message.text);
  const language = parsed.ok ? parsed.report.language : parsed.language;
  const reply: ReplyKind =
    message.status === 'accepted'
      ? { kind: 'accepted' }
      : message.status === 'malformed' && !parsed.ok
        ? { kind: 'malformed', problem: parsed.problem }
        : message.status === 'rejected'
          ? { kind: 'rejected', rateLimited: message.reason === RATE_LIMITED }
          : { kind: 'unknown_sender' };
  return { message, language, reply };
}

const RATE_LIMITED = 'too many reports from this account: try later';

async function readMessage(deps: SmsDeps, message: SmsRow): Promise<SmsOutcome> {
  const settle = async (status: SmsStatus, reason: string | null, observerId: string | null, reportId?: string) =>
    describe(await settleMessage(deps.db, message.id, { status, reason, observerId, reportId: reportId ?? null }));
  const account = await findByPhone(deps.db, message.phone);
  const observer: AuthUser | null =
    account && !account.disabledAt && canFileReport(account)
      ? { id: account.id, username: account.username, role: account.role, displayName: account.displayName }
      : null;
  if (!observer) {
    const why = !account ? 'no account has this number' : 'the account of this number is disabled or no observer';
    return settle('unknown_sender', why, account?.id ?? null);
  }
  const parsed = parseSmsReport(message.text);
  if (!parsed.ok) return settle('malformed', parsed.problem, observer.id);
  const now = deps.clock.now();
  // Sent on the phone's clock, which may run ahead: never later than it arrived.
  const observedAt = message.sentAt && message.sentAt < now ? message.sentAt : message.receivedAt;
  const { language: _, ...fields } = parsed.report;
  try {
    const { report } = await submitReport(
      deps.intake,
      observer,
      { clientId: clientIdOf(message.id), observedAt: observedAt.toISOString(), ...fields },
      [],
      'sms',
    );
    return settle('accepted', null, observer.id, report.id);
  } catch (err) {
    if (err instanceof TooManyRequests) return settle('rejected', RATE_LIMITED, observer.id);
    if (err instanceof DomainError) return settle('rejected', err.message.slice(0, 500), observer.id);
    throw err;
  }
}

type Admin = Pick<AuthUser, 'id' | 'username'>;

/** Reads a held message again (its number registered since, or its account's quota renewed); audited. */
export async function retryMessage(deps: SmsDeps, admin: Admin, id: string) {
  const before = await heldMessage(deps.db, id);
  const outcome = await readMessage(deps, before);
  const after = outcome.message;
  await audited(deps, admin, 'sms_retried', before, after);
  return view(after);
}

/** Sets a held message aside: nothing will be filed from it; audited. */
export async function dismissMessage(deps: SmsDeps, admin: Admin, id: string) {
  const before = await heldMessage(deps.db, id);
  const after = await settleMessage(deps.db, id, {
    status: 'dismissed',
    reason: before.reason,
    observerId: before.observerId,
    reportId: null,
    handledAt: deps.clock.now(),
  });
  await audited(deps, admin, 'sms_dismissed', before, after);
  return view(after);
}

async function heldMessage(db: Db, id: string): Promise<SmsRow> {
  const message = await findMessage(db, id);
  if (!message) throw new NotFound('message');
  if (!HELD.includes(message.status)) throw new Conflict(`this message is ${message.status}, not held`);
  return message;
}

async function audited(deps: SmsDeps, admin: Admin, action: 'sms_retried' | 'sms_dismissed', b: SmsRow, a: SmsRow) {
  const state = (m: SmsRow) => ({ status: m.status, reason: m.reason, observerId: m.observerId, reportId: m.reportId });
  await appendAudit(
    deps.db,
    {
      actorId: admin.id,
      actorName: admin.username,
      action,
      entityType: 'sms',
      entityId: b.id,
      before: { receiptCode: b.receiptCode, ...state(b) },
      after: state(a),
    },
    deps.clock,
  );
}

const iso = (d: Date | null) => d?.toISOString() ?? null;
function view(m: SmsRow & { observer?: { username: string } | null }) {
  const { observer, ...rest } = m;
  return {
    ...rest,
    sentAt: iso(m.sentAt),
    receivedAt: m.receivedAt.toISOString(),
    handledAt: iso(m.handledAt),
    ...(observer !== undefined ? { observer: observer?.username ?? null } : {}),
  };
}

/** The one order of the SMS list, as its cursors name it. */
const SMS_ORDER = '-received';

/** Newest first: the held ones (`held`), one status, or all. */
export async function listSms(db: Db, q: { status: 'held' | 'all' | SmsStatus; limit: number; cursor?: string }) {
  const statuses = q.status === 'held' ? HELD : q.status === 'all' ? undefined : [q.status];
  const rows = await listMessages(db, {
    statuses,
    limit: q.limit + 1,
    after: q.cursor ? decodeCursor(q.cursor, SMS_ORDER) : undefined,
  });
  const { page, nextCursor } = keysetPage(rows, q.limit, SMS_ORDER, (r) => r.receivedAt);
  return { items: page.map(view), nextCursor };
}
