import { useEffect, useRef, useState } from "react";
import type { Job } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { isFinished, pollJob } from "./poll";

export interface JobStatus {
  job: Job | null;
  /** Why the job could not be read (not why it failed: that is `job.error`). */
  error: string | null;
  finished: boolean;
}

/** Follow job `jobId` until it finishes; polling stops on unmount or when the id changes. */
export function useJob(
  jobId: string | null,
  { intervalMs = 1000, onFinished }: { intervalMs?: number; onFinished?: (job: Job) => void } = {},
): JobStatus {
  const [job, setJob] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The latest callback, without restarting the polling when the caller passes a new function.
  const onFinishedRef = useRef(onFinished);
  onFinishedRef.current = onFinished;

  useEffect(() => {
    setJob(null);
    setError(null);
    if (jobId === null) return;
    const controller = new AbortController();
    pollJob(jobId, { intervalMs, signal: controller.signal, onUpdate: setJob }).then(
      (last) => {
        if (last) onFinishedRef.current?.(last);
      },
      (caught: unknown) => {
        if (controller.signal.aborted) return;
        setError(caught instanceof ApiError ? caught.detail : "Could not follow the job.");
      },
    );
    return () => controller.abort();
  }, [jobId, intervalMs]);

  return { job, error, finished: job !== null && isFinished(job) };
}

const STATE_LABELS: Record<Job["state"], string> = {
  queued: "Queued",
  running: "Running",
  succeeded: "Done",
  failed: "Failed",
};

interface JobProgressProps {
  jobId: string;
  /** What the job does, for people ("Ingesting interview-03.mp4"). */
  label?: string;
  intervalMs?: number;
  onFinished?: (job: Job) => void;
}

/** Runs of the job whose worker died before finishing (each later run started afresh). */
export function lostRuns(job: Job): number {
  return Math.max(0, (job.events ?? []).filter((event) => event.kind === "started").length - 1);
}

/** A progress bar for a long-running job, with its message and, when it failed, its error. */
export function JobProgress({ jobId, label, intervalMs, onFinished }: JobProgressProps) {
  const { job, error } = useJob(jobId, { intervalMs, onFinished });
  const progress = job?.state === "succeeded" ? 1 : Math.min(Math.max(job?.progress ?? 0, 0), 1);
  const percent = Math.round(progress * 100);
  const state = job?.state ?? "queued";
  const title = label ?? job?.kind ?? "Job";

  return (
    <div className={`job job-${state}`} data-testid="job-progress" data-state={job?.state ?? "loading"}>
      <div className="job-head">
        <span className="job-label">{title}</span>
        <span className="job-state" data-testid="job-state">
          {job ? `${STATE_LABELS[job.state]}${job.state === "running" ? ` · ${percent}%` : ""}` : "Loading…"}
        </span>
      </div>
      <div
        className="job-bar"
        role="progressbar"
        aria-label={title}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="job-bar-fill" style={{ width: `${percent}%` }} />
      </div>
      {job?.message && <p className="job-message">{job.message}</p>}
      {job && lostRuns(job) > 0 && (
        <p className="job-message" data-testid="job-recovered">
          {`Its worker was lost ${lostRuns(job) === 1 ? "once" : `${lostRuns(job)} times`}; the job was run again (run ${job.attempts}).`}
        </p>
      )}
      {job?.state === "failed" && (
        <p className="job-error" role="alert" data-testid="job-error">
          {job.error || "The job failed."}
        </p>
      )}
      {error && (
        <p className="job-error" role="alert" data-testid="job-error">
          {error}
        </p>
      )}
    </div>
  );
}
