/**
 * Which pipeline a run has, without loading the sharded one (worker_threads, the merge) into
 * runs that do not use it: start-up.
 */
import type { AnalysisPipeline } from '../pipeline';
import type { ParallelPipeline } from './parallel-pipeline';

export type AnyPipeline = AnalysisPipeline | ParallelPipeline;

export function isSharded(p: AnyPipeline): p is ParallelPipeline {
  return (p as { sharded?: boolean }).sharded === true;
}
