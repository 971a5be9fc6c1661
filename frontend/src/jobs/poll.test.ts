import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Job, JobState } from "../api/endpoints";
import { ApiError, toApiError } from "../api/errors";
import { pollJob } from "./poll";

function job(state: JobState, progress = 0): Job {
  return {
    id: "5b0b6a38-0000-4000-8000-000000000001",
    kind: "ingest",
    state,
    progress,
    message: "",
    error: state === "failed" ? "ffprobe: no video stream" : "",
    result: null,
    attempts: 1,
    project: "alpha",
    created_at: "2026-01-01T00:00:00Z",
    started_at: null,
    finished_at: null,
    events: [],
  };
}

/** A fake job reader that answers with `states` in turn, then keeps answering the last one. */
function reader(...answers: (Job | Error)[]) {
  let index = 0;
  return vi.fn(async () => {
    const answer = answers[Math.min(index, answers.length - 1)]!;
    index += 1;
    if (answer instanceof Error) throw answer;
    return answer;
  });
}

describe("pollJob", () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it.each(["succeeded", "failed"] as const)("stops reading once the job has %s", async (last) => {
    const fetchJob = reader(job("queued"), job("running", 0.4), job(last, 1));
    const updates: JobState[] = [];
    const done = pollJob("j1", { fetchJob, intervalMs: 1000, onUpdate: (update) => updates.push(update.state) });

    await vi.advanceTimersByTimeAsync(2000);
    await expect(done).resolves.toMatchObject({ state: last });
    await vi.advanceTimersByTimeAsync(60_000);

    expect(fetchJob).toHaveBeenCalledTimes(3);
    expect(updates).toEqual(["queued", "running", last]);
  });

  it("waits the interval between two reads", async () => {
    const fetchJob = reader(job("running"), job("succeeded"));
    void pollJob("j1", { fetchJob, intervalMs: 1000, onUpdate: () => undefined });

    await vi.advanceTimersByTimeAsync(999);
    expect(fetchJob).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchJob).toHaveBeenCalledTimes(2);
  });

  it("stops at once when aborted and resolves with null", async () => {
    const fetchJob = reader(job("running"));
    const controller = new AbortController();
    const done = pollJob("j1", { fetchJob, intervalMs: 1000, signal: controller.signal, onUpdate: () => undefined });

    await vi.advanceTimersByTimeAsync(2500);
    expect(fetchJob).toHaveBeenCalledTimes(3);
    controller.abort();
    await expect(done).resolves.toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fetchJob).toHaveBeenCalledTimes(3);
  });

  it("retries a server that cannot be reached, then carries on", async () => {
    const fetchJob = reader(toApiError(0, null), toApiError(503, null), job("succeeded", 1));
    const done = pollJob("j1", { fetchJob, intervalMs: 100, onUpdate: () => undefined });

    // Pauses of 200 ms then 400 ms: they grow with each failure in a row.
    await vi.advanceTimersByTimeAsync(199);
    expect(fetchJob).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchJob).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(400);
    await expect(done).resolves.toMatchObject({ state: "succeeded" });
    expect(fetchJob).toHaveBeenCalledTimes(3);
  });

  it("gives up at once on a job it may not read", async () => {
    const notFound = toApiError(404, { code: "not_found", detail: "No job.", fields: {} });
    const fetchJob = reader(notFound);
    const done = pollJob("j1", { fetchJob, intervalMs: 100, onUpdate: () => undefined });
    const outcome = done.catch((error: unknown) => error);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(await outcome).toBeInstanceOf(ApiError);
    expect(fetchJob).toHaveBeenCalledTimes(1);
  });
});
