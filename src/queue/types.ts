/** What an enqueued run asks of the workers, and a job as a worker claims it. */

/** Stored with the run (no secret in it: a sensitive --var is refused before anything is enqueued). */
export interface QueueRequest {
  command: 'drift' | 'converge';
  /** The controller's inventory (shown in the history; each worker reads its own `-i`). */
  inventory: string;
  limit?: string;
  tags: string[];
  /** The controller's --var arguments, applied by the workers too. */
  vars: string[];
  /** Seconds a worker waits for a host's lock. */
  lockTimeout: number;
}

/** One job: a host of a run, claimed by a worker for one attempt. */
export interface ClaimedJob {
  id: number;
  runId: number;
  seq: number;
  host: string;
  /** Hosts of the same run this one converges after (their jobs are done first). */
  after: string[];
  /** The controller's digest of the host's declarations (digest.ts). */
  digest: string;
  /** This attempt's number (1 = the first worker to take it). */
  attempt: number;
  request: QueueRequest;
}
