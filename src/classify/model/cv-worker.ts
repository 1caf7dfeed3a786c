// One thread of the grouped cross-validation (cv-pool.ts): runs the folds of the groups it is given and posts the
// held-out predictions back.
import { parentPort, workerData } from 'node:worker_threads';
import { crossValidate, type Prepared } from './train.ts';
import type { CvJob } from './cv-pool.ts';

const job = workerData as CvJob;
parentPort!.postMessage(crossValidate(job.data as Prepared[], job.labels, job.settings, job.groups));
