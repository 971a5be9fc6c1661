import { getJob, type Job, type JobState } from "../api/endpoints";
import { ApiError } from "../api/errors";

/** States after which a job never changes again. */
export const FINISHED_STATES: ReadonlySet<JobState> = new Set<JobState>(["succeeded", "failed"]);

export function isFinished(job: Job): boolean {
  return FINISHED_STATES.has(job.state);
}

export interface PollOptions {
  /** Called with every state of the job that was read, the last one included. */
  onUpdate: (job: Job) => void;
  /** Milliseconds between two reads. */
  intervalMs?: number;
  /** Stops the polling; the promise then resolves with null. */
  signal?: AbortSignal;
  /** Consecutive failed reads (server unreachable or failing) tolerated before giving up. */
  maxRetries?: number;
  fetchJob?: (jobId: string) => Promise<Job>;
}

/** A failure worth retrying: the server could not be reached, or failed itself. */
function isTransient(error: unknown): boolean {
  return error instanceof ApiError && (error.status === 0 || error.status >= 500);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * Read job `jobId` until it has finished (succeeded or failed) and resolve with its last state.
 * Transient failures are retried with a growing pause; any other failure (404: no such job, or
 * not the caller's) rejects. Aborting resolves with null and reads nothing more.
 */
export async function pollJob(jobId: string, options: PollOptions): Promise<Job | null> {
  const { onUpdate, intervalMs = 1000, signal, maxRetries = 5, fetchJob = getJob } = options;
  let failures = 0;
  while (!signal?.aborted) {
    let job: Job;
    try {
      job = await fetchJob(jobId);
    } catch (error) {
      if (signal?.aborted) return null;
      if (!isTransient(error) || failures >= maxRetries) throw error;
      failures += 1;
      await sleep(intervalMs * 2 ** failures, signal);
      continue;
    }
    if (signal?.aborted) return null;
    failures = 0;
    onUpdate(job);
    if (isFinished(job)) return job;
    await sleep(intervalMs, signal);
  }
  return null;
}
