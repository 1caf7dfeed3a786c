// models queue: retrain-model jobs → retrainFromCorrections. Safe to run twice: each run judges a fresh candidate
// against the model in use and keeps every candidate with its scores.
import type { Job, Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';
import type { RetrainModelJob } from '../src/queue/names.ts';
import { loadAgreement } from '../src/agreements/index.ts';
import { retrainFromCorrections } from '../src/learning/retrain.ts';
import { loadCorpus } from '../src/classify/model/corpus.ts';

export function modelsProcessor(rt: Runtime): Processor<RetrainModelJob> {
  return async (job: Job<RetrainModelJob>) => {
    const corpus = loadCorpus(process.cwd(), rt.config.TRAINING_MANIFEST);
    const result = await retrainFromCorrections({
      db: rt.db,
      clock: rt.clock,
      agreement: loadAgreement(job.data.agreementId),
      corpus,
    });
    rt.log.info({ agreement: job.data.agreementId, ...result }, 'classifier retrained from corrections');
    return result;
  };
}
