// Data access of the learning domain: the ModelVersion table, and the commission's corrections (read through the
// reports' repository) as labeled examples.
import type { Db, Prisma } from '../db/client.ts';
import type { TrainingRow } from '../classify/model/train.ts';
import { correctedReports } from '../reports/repository.ts';

export interface CorrectionExample extends TrainingRow {
  correctedAt: string;
}

/**
 * Every report a commission member corrected (terms and stance), with the text the classifier read. The group is
 * `corrections`: to the grouped cross-validation they are one more source.
 */
export async function correctionExamples(db: Db): Promise<CorrectionExample[]> {
  const rows = await correctedReports(db);
  return rows.map((r) => ({
    id: `corrections/${r.id}`,
    group: 'corrections',
    lang: r.language === 'ar' ? 'ar' : 'en',
    narrative: r.narrative,
    placeName: r.placeName,
    partyAlleged: r.partyAlleged,
    labels: { terms: r.correction.terms, stance: r.correction.stance as TrainingRow['labels']['stance'] },
    correctedAt: r.correction.at ?? '',
  }));
}

export interface ModelVersionRow {
  id: string;
  agreementId: string;
  version: string;
  weights: Uint8Array;
  corrections: number;
  heldOut: number;
  metrics: unknown;
  promoted: boolean;
  createdAt: Date;
  promotedAt: Date | null;
}

/** Inside the caller's transaction, so the row commits with its audit entry. */
export async function insertModelVersion(
  tx: Db | Prisma.TransactionClient,
  v: Omit<ModelVersionRow, 'id' | 'createdAt'>,
): Promise<string> {
  const row = await tx.modelVersion.create({
    data: { ...v, weights: new Uint8Array(v.weights), metrics: v.metrics as Prisma.InputJsonValue },
    select: { id: true },
  });
  return row.id;
}

/**
 * The newest model promoted on top of the given shipped model. One promoted on top of an earlier release's model is
 * not in use any more: the release's own model (trained on a larger corpus, perhaps with other features) replaces
 * it, and the next retrain learns the stored corrections again on top of it.
 */
export async function promotedModel(
  db: Db,
  agreementId: string,
  shippedVersion: string,
): Promise<ModelVersionRow | null> {
  return db.modelVersion.findFirst({
    where: { agreementId, promoted: true, metrics: { path: ['shipped'], equals: shippedVersion } },
    orderBy: { promotedAt: 'desc' },
  }) as Promise<ModelVersionRow | null>;
}

export async function listModelVersions(db: Db, agreementId: string, limit = 20) {
  return db.modelVersion.findMany({
    where: { agreementId },
    orderBy: { createdAt: 'desc' },
    take: limit,
    select: {
      id: true,
      version: true,
      corrections: true,
      heldOut: true,
      metrics: true,
      promoted: true,
      createdAt: true,
      promotedAt: true,
    },
  });
}
