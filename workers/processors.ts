// Queue name → processor factory. Each processor receives a job and calls the domain; nothing else.
import type { Processor } from 'bullmq';
import type { Runtime } from '../src/runtime.ts';

export const processors: Record<string, (rt: Runtime) => Processor> = {};
