// Repeating jobs, registered by the worker role at start-up. upsertJobScheduler is idempotent: every worker
// process may call it, and a changed DIGEST_CRON/DIGEST_TZ replaces the old schedule instead of adding one.
import type { Queue } from 'bullmq';
import type { Config } from '../config.ts';
import { JOBS, QUEUES, type ApplyRetentionJob, type CompileDigestJob, type RetrainModelJob } from './names.ts';

export const WEEKLY_DIGEST_SCHEDULER = 'weekly-digest';
export const MODEL_RETRAIN_SCHEDULER = 'model-retrain';
export const RETENTION_SCHEDULER = 'retention';

export async function registerSchedules(
  queues: Map<string, Queue>,
  config: Pick<
    Config,
    | 'DIGEST_CRON'
    | 'DIGEST_TZ'
    | 'MODEL_RETRAIN_CRON'
    | 'AGREEMENT_ID'
    | 'RETENTION_CRON'
    | 'RETENTION_REJECTED_DAYS'
    | 'RETENTION_UNRELATED_DAYS'
    | 'NOTICE_READ_RETENTION_DAYS'
  >,
): Promise<void> {
  const retention = queues.get(QUEUES.retention);
  if (retention) {
    // No rule configured: no schedule (one left by an earlier configuration is removed). Read notices are pruned
    // after 90 days unless NOTICE_READ_RETENTION_DAYS=0, so by default the job runs.
    if (
      config.RETENTION_REJECTED_DAYS === undefined &&
      config.RETENTION_UNRELATED_DAYS === undefined &&
      !config.NOTICE_READ_RETENTION_DAYS
    )
      await retention.removeJobScheduler(RETENTION_SCHEDULER);
    else {
      const job: ApplyRetentionJob = {};
      await retention.upsertJobScheduler(
        RETENTION_SCHEDULER,
        { pattern: config.RETENTION_CRON, tz: config.DIGEST_TZ },
        {
          name: JOBS.applyRetention,
          data: job,
          opts: { attempts: 3, backoff: { type: 'exponential', delay: 600_000 }, removeOnFail: false },
        },
      );
    }
  }
  const models = queues.get(QUEUES.models);
  if (models) {
    const job: RetrainModelJob = { agreementId: config.AGREEMENT_ID };
    await models.upsertJobScheduler(
      MODEL_RETRAIN_SCHEDULER,
      { pattern: config.MODEL_RETRAIN_CRON, tz: config.DIGEST_TZ },
      {
        name: JOBS.retrainModel,
        data: job,
        opts: { attempts: 2, backoff: { type: 'exponential', delay: 600_000 }, removeOnFail: false },
      },
    );
  }
  const digests = queues.get(QUEUES.digests);
  if (!digests) throw new Error(`queue ${QUEUES.digests} is not configured`);
  const data: CompileDigestJob = { trigger: 'scheduled' };
  await digests.upsertJobScheduler(
    WEEKLY_DIGEST_SCHEDULER,
    { pattern: config.DIGEST_CRON, tz: config.DIGEST_TZ },
    {
      name: JOBS.compileDigest,
      data,
      opts: { attempts: 3, backoff: { type: 'exponential', delay: 60_000 }, removeOnFail: false },
    },
  );
}
