import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { Job, JobState } from "../api/endpoints";
import { apiError, json, mockApi } from "../test/api";
import { JobProgress, lostRuns } from "./JobProgress";

const JOB_ID = "5b0b6a38-0000-4000-8000-000000000001";
const JOB_PATH = `GET /api/v1/jobs/${JOB_ID}/`;

function job(state: JobState, progress: number, message = "", error = "") {
  return {
    id: JOB_ID,
    kind: "ingest",
    state,
    progress,
    message,
    error,
    result: null,
    attempts: 1,
    project: "alpha",
    created_at: "2026-01-01T00:00:00Z",
    started_at: null,
    finished_at: null,
    events: [],
  };
}

function sequence(...bodies: ReturnType<typeof job>[]) {
  let index = 0;
  return () => json(200, bodies[Math.min(index++, bodies.length - 1)]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("JobProgress", () => {
  it("counts the runs whose worker was lost, from the job's events", () => {
    const at = "2026-01-01T00:00:00Z";
    const recovered: Job = {
      ...job("succeeded", 1),
      attempts: 2,
      events: [
        { kind: "queued", message: "", at },
        { kind: "started", message: "Run 1 on worker a pid 1", at },
        { kind: "resent", message: "its worker was lost; sent again", at },
        { kind: "started", message: "Run 2 on worker b pid 2", at },
        { kind: "succeeded", message: "", at },
      ],
    };
    expect(lostRuns(recovered)).toBe(1);
    expect(lostRuns({ ...job("running", 0.5), events: [] })).toBe(0);
  });


  it("polls until the job succeeds, then stops", async () => {
    const { fetch } = mockApi({
      [JOB_PATH]: sequence(
        job("queued", 0),
        job("running", 0.25, "Probing"),
        job("running", 0.5, "Indexing frames"),
        job("succeeded", 1, "Ready"),
      ),
    });
    const onFinished = vi.fn();
    render(<JobProgress jobId={JOB_ID} label="Ingest" intervalMs={5} onFinished={onFinished} />);

    await screen.findByText("Ready", {}, { timeout: 2000 });
    const bar = screen.getByRole("progressbar", { name: "Ingest" });
    expect(bar.getAttribute("aria-valuenow")).toBe("100");
    expect(screen.getByTestId("job-state").textContent).toBe("Done");
    expect(screen.getByTestId("job-progress").dataset.state).toBe("succeeded");
    expect(onFinished).toHaveBeenCalledTimes(1);
    expect(onFinished.mock.calls[0]![0]).toMatchObject({ state: "succeeded" });

    await sleep(60);
    expect(fetch).toHaveBeenCalledTimes(4);
  });

  it("shows the error of a failed job and stops", async () => {
    const { fetch } = mockApi({
      [JOB_PATH]: sequence(job("running", 0.3, "Probing"), job("failed", 0.3, "Probing", "No video stream in the file.")),
    });
    render(<JobProgress jobId={JOB_ID} intervalMs={5} />);

    expect((await screen.findByTestId("job-error", {}, { timeout: 2000 })).textContent).toBe(
      "No video stream in the file.",
    );
    expect(screen.getByTestId("job-state").textContent).toBe("Failed");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("30");

    await sleep(60);
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it("shows the progress and message of a running job", async () => {
    mockApi({ [JOB_PATH]: () => json(200, job("running", 0.426, "Decoding frame 426 of 1000")) });
    render(<JobProgress jobId={JOB_ID} intervalMs={1000} />);

    expect(await screen.findByText("Decoding frame 426 of 1000")).toBeTruthy();
    expect(screen.getByTestId("job-state").textContent).toBe("Running · 43%");
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("43");
  });

  it("stops polling when it is removed from the page", async () => {
    const { fetch } = mockApi({ [JOB_PATH]: () => json(200, job("running", 0.1)) });
    const { unmount } = render(<JobProgress jobId={JOB_ID} intervalMs={5} />);

    await screen.findByText("Running · 10%");
    unmount();
    const calls = fetch.mock.calls.length;
    await sleep(60);
    expect(fetch).toHaveBeenCalledTimes(calls);
  });

  it("says so when the job cannot be read", async () => {
    const { fetch } = mockApi({ [JOB_PATH]: () => apiError(404, "not_found", "No such job.") });
    render(<JobProgress jobId={JOB_ID} intervalMs={5} />);

    expect((await screen.findByTestId("job-error")).textContent).toBe("No such job.");
    await sleep(60);
    expect(fetch).toHaveBeenCalledTimes(1);
  });
});
