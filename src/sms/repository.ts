// The SmsMessage table's one data-access module: every inbound text, stored before it is read, and its outcome.
import type { Db } from '../db/client.ts';

export type SmsStatus = 'received' | 'accepted' | 'unknown_sender' | 'malformed' | 'rejected' | 'dismissed';
/** Statuses of messages waiting for an admin. */
export const HELD: SmsStatus[] = ['received', 'unknown_sender', 'malformed', 'rejected'];

const select = {
  id: true,
  receiptCode: true,
  gateway: true,
  sender: true,
  phone: true,
  text: true,
  sentAt: true,
  receivedAt: true,
  status: true,
  reason: true,
  observerId: true,
  reportId: true,
  handledAt: true,
} as const;

export interface NewSms {
  id: string;
  receiptCode: string;
  dedupKey: string | null;
  gateway: string;
  sender: string;
  phone: string;
  text: string;
  sentAt: Date | null;
  receivedAt: Date;
}

/** Stores a message; null when one with the same dedupKey is stored already (a gateway's retry). */
export async function insertMessage(db: Db, m: NewSms) {
  const rows = await db.smsMessage.createManyAndReturn({ data: [m], skipDuplicates: true, select });
  return rows[0] ?? null;
}

export async function findByDedupKey(db: Db, dedupKey: string) {
  return db.smsMessage.findUnique({ where: { dedupKey }, select });
}

export async function findMessage(db: Db, id: string) {
  return db.smsMessage.findUnique({ where: { id }, select });
}
export type SmsRow = NonNullable<Awaited<ReturnType<typeof findMessage>>>;

export async function settleMessage(
  db: Db,
  id: string,
  outcome: {
    status: SmsStatus;
    reason: string | null;
    observerId: string | null;
    reportId: string | null;
    handledAt?: Date;
  },
) {
  return db.smsMessage.update({ where: { id }, data: outcome, select });
}

/** Newest first; `held` lists the messages waiting for an admin. */
export async function listMessages(
  db: Db,
  q: { statuses?: SmsStatus[]; limit: number; after?: { at: Date; id: string } },
) {
  return db.smsMessage.findMany({
    where: {
      ...(q.statuses ? { status: { in: q.statuses } } : {}),
      ...(q.after
        ? { OR: [{ receivedAt: { lt: q.after.at } }, { receivedAt: q.after.at, id: { lt: q.after.id } }] }
        : {}),
    },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: q.limit,
    select: { ...select, observer: { select: { username: true } } },
  });
}

/** Messages waiting for an admin, for the metrics. */
export async function countHeld(db: Db): Promise<number> {
  return db.smsMessage.count({ where: { status: { in: HELD } } });
}
