import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { App } from "../App";
import { json, mockApi } from "../test/api";
import { FakeXhr, jobFixture, videoFixture } from "../test/videos";
import { VideosSection } from "./VideosSection";

const owner = { id: 1, username: "olga", is_staff: false };
const alpha = {
  id: 1,
  name: "Alpha",
  slug: "alpha",
  description: "",
  task_kind: "spotting",
  passes_per_item: 5,
  label_schema: {},
  role: "owner",
  created_at: "2026-01-01T00:00:00Z",
};
const JOB = "5b0b6a38-0000-4000-8000-00000000000a";

function open(path: string) {
  window.history.replaceState(null, "", path);
  render(<App />);
}

function cells(row: HTMLElement): string[] {
  return within(row)
    .getAllByRole("cell")
    .map((cell) => cell.textContent ?? "");
}

describe("the videos of a project", () => {
  beforeEach(() => {
    FakeXhr.install();
  });

  it("lists every video with its facts and status", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, owner),
      "GET /api/v1/projects/alpha/": () => json(200, alpha),
      "GET /api/v1/projects/alpha/members/": () => json(200, []),
      "GET /api/v1/projects/alpha/videos/": () =>
        json(200, [
          videoFixture(),
          videoFixture({
            id: 8,
            original_name: "broken.mp4",
            subject: null,
            source: "movie",
            status: "failed",
            error: "The file has no video stream (audio only).",
            n_frames: null,
            fps_num: null,
            fps_den: null,
            duration_s: null,
            size_bytes: 2048,
          }),
        ]),
    });
    open("/projects/alpha");

    const list = await screen.findByTestId("video-list");
    const rows = within(list).getAllByTestId("video-row");
    expect(rows).toHaveLength(2);

    const [ready, failed] = rows as [HTMLElement, HTMLElement];
    expect(within(ready).getByTestId("video-link").getAttribute("href")).toBe("/projects/alpha/videos/7");
    expect(within(ready).getByTestId("video-link").textContent).toBe("interview-07.mp4");
    expect(within(ready).getByTestId("video-status").dataset.status).toBe("ready");
    expect(within(ready).getByTestId("video-status").textContent).toBe("ready");
    expect(ready.querySelector("img")?.getAttribute("src")).toBe("/api/v1/videos/7/poster/");
    expect(cells(ready).slice(1)).toEqual(["s07", "TV interview", "ready", "300", "29.97", "00:10", "5.0 MiB"]);

    expect(within(failed).getByTestId("video-status").textContent).toBe("failed");
    expect(within(failed).getByTestId("video-error").textContent).toBe("The file has no video stream (audio only).");
    expect(cells(failed).slice(-4)).toEqual(["—", "—", "—", "2.0 KiB"]);
    expect(failed.querySelector("img")).toBeNull();

    expect(screen.getByTestId("video-upload-form")).toBeTruthy();
    expect(screen.queryByTestId("videos-empty")).toBeNull();
  });

  it("tells an owner to upload, and an annotator to wait, when there are none", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, owner),
      "GET /api/v1/projects/alpha/": () => json(200, alpha),
      "GET /api/v1/projects/alpha/members/": () => json(200, []),
      "GET /api/v1/projects/alpha/videos/": () => json(200, []),
    });
    open("/projects/alpha");
    expect((await screen.findByTestId("videos-empty")).textContent).toContain("Upload the project's first video");
  });

  it("shows an annotator the list without the upload form", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, { id: 3, username: "ann", is_staff: false }),
      "GET /api/v1/projects/alpha/": () => json(200, { ...alpha, role: "annotator" }),
      "GET /api/v1/projects/alpha/videos/": () => json(200, []),
    });
    open("/projects/alpha");
    const empty = await screen.findByTestId("videos-empty");
    expect(empty.textContent).toContain("No videos yet");
    expect(empty.textContent).toContain("The project's owner will add videos");
    expect(screen.queryByTestId("video-upload-form")).toBeNull();
  });

  it("follows a video's ingest and reads the list again until it is ready", async () => {
    let reads = 0;
    const { fetch } = mockApi({
      "GET /api/v1/projects/alpha/videos/": () => {
        reads += 1;
        const processing = videoFixture({ status: "processing", job: JOB, n_frames: null });
        return json(200, [reads < 3 ? processing : videoFixture({ job: JOB })]);
      },
      [`GET /api/v1/jobs/${JOB}/`]: () => json(200, jobFixture(JOB, "running", 0.4, "Making the browser proxy")),
    });
    const initial = { videos: [videoFixture({ status: "processing", job: JOB })] };
    render(<VideosSection slug="alpha" initial={initial} canUpload={false} pollMs={10} jobPollMs={1000} />);

    const status = screen.getByTestId("video-status");
    expect(status.dataset.status).toBe("processing");
    expect(await screen.findByText("Making the browser proxy")).toBeTruthy();
    expect(screen.getByRole("progressbar", { name: "Ingest" }).getAttribute("aria-valuenow")).toBe("40");

    await waitFor(() => expect(screen.getByTestId("video-status").dataset.status).toBe("ready"));
    expect(screen.queryByRole("progressbar")).toBeNull();
    // Nothing is processing any more: the list is not read again.
    const calls = fetch.mock.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(fetch.mock.calls.length).toBe(calls);
  });
});

describe("the upload form", () => {
  beforeEach(() => {
    FakeXhr.install();
  });

  function renderSection() {
    return render(<VideosSection slug="alpha" initial={{ videos: [] }} canUpload pollMs={10} jobPollMs={5} />);
  }

  it("uploads with progress, follows the ingest and shows the new video", async () => {
    document.cookie = "csrftoken=tok-7";
    let listed: unknown[] = [];
    mockApi({
      "GET /api/v1/projects/alpha/videos/": () => json(200, listed),
      [`GET /api/v1/jobs/${JOB}/`]: () => json(200, jobFixture(JOB, "succeeded", 1, "Ready")),
    });
    const user = userEvent.setup();
    renderSection();

    const file = new File([new Uint8Array(2048)], "interview-07.mp4", { type: "video/mp4" });
    await user.upload(screen.getByTestId("video-upload-file"), file);
    expect(screen.getByTestId("video-upload-chosen").textContent).toBe("interview-07.mp4");
    await user.type(screen.getByTestId("video-upload-subject"), " s07 ");
    await user.selectOptions(screen.getByTestId("video-upload-source"), "documentary");
    await user.click(screen.getByTestId("video-upload-submit"));

    const xhr = FakeXhr.last();
    expect(xhr.headers["X-CSRFToken"]).toBe("tok-7");
    const form = xhr.body as FormData;
    expect(form.get("subject")).toBe("s07");
    expect(form.get("source")).toBe("documentary");
    expect((form.get("file") as File).name).toBe("interview-07.mp4");

    act(() => xhr.progress(1024, 4096));
    const bar = screen.getByRole("progressbar", { name: "Uploading interview-07.mp4" });
    expect(bar.getAttribute("aria-valuenow")).toBe("25");
    expect(screen.getByTestId("video-upload-progress").textContent).toContain("25% · 1.0 KiB of 4.0 KiB");

    listed = [videoFixture({ status: "processing", job: JOB })];
    act(() => xhr.respond(201, { id: 7, status: "processing", job: JOB, duplicate: false }));

    expect(await screen.findByRole("progressbar", { name: "Ingesting interview-07.mp4" })).toBeTruthy();
    listed = [videoFixture({ job: JOB })];
    expect((await screen.findByTestId("video-upload-done")).textContent).toBe("interview-07.mp4 is ready (video #7).");
    await waitFor(() => expect(screen.getByTestId("video-status").dataset.status).toBe("ready"));
    expect(screen.queryByTestId("video-upload-error")).toBeNull();
  });

  it("says when the file is already in the project", async () => {
    mockApi({ "GET /api/v1/projects/alpha/videos/": () => json(200, [videoFixture()]) });
    const user = userEvent.setup();
    renderSection();

    await user.upload(screen.getByTestId("video-upload-file"), new File(["x"], "again.mp4", { type: "video/mp4" }));
    await user.click(screen.getByTestId("video-upload-submit"));
    act(() => FakeXhr.last().respond(200, { id: 7, status: "ready", job: null, duplicate: true }));

    expect((await screen.findByTestId("video-upload-duplicate")).textContent).toContain(
      "again.mp4 is already in the project (video #7)",
    );
    expect(await screen.findByTestId("video-row")).toBeTruthy();
  });

  it("shows the API's message when the upload is refused", async () => {
    mockApi({});
    const user = userEvent.setup();
    renderSection();

    await user.upload(screen.getByTestId("video-upload-file"), new File(["x"], "huge.mov", { type: "video/quicktime" }));
    await user.click(screen.getByTestId("video-upload-submit"));
    act(() =>
      FakeXhr.last().respond(413, {
        code: "too_large",
        detail: "The file is larger than the upload limit of 2048 MiB.",
        fields: { file: ["Too large."] },
      }),
    );

    expect((await screen.findByTestId("video-upload-error")).textContent).toBe(
      "huge.mov: The file is larger than the upload limit of 2048 MiB.",
    );
    // The file stays chosen, to try again.
    expect(screen.getByTestId("video-upload-chosen").textContent).toBe("huge.mov");
  });

  it("asks for a file before uploading", async () => {
    mockApi({});
    const user = userEvent.setup();
    renderSection();
    await user.click(screen.getByTestId("video-upload-submit"));
    expect(screen.getByTestId("video-upload-error").textContent).toBe("Choose a video file to upload.");
    expect(FakeXhr.instances).toHaveLength(0);
  });

  it("takes a file dropped on the drop zone, and can cancel the upload", async () => {
    mockApi({});
    const user = userEvent.setup();
    renderSection();

    const zone = screen.getByTestId("video-upload-dropzone");
    const dropped = new File(["x"], "dropped.mkv", { type: "video/x-matroska" });
    fireEvent.dragOver(zone, { dataTransfer: { files: [dropped], dropEffect: "none" } });
    expect(zone.className).toContain("dropzone-active");
    fireEvent.drop(zone, { dataTransfer: { files: [dropped] } });
    expect(zone.className).not.toContain("dropzone-active");
    expect(screen.getByTestId("video-upload-chosen").textContent).toBe("dropped.mkv");

    await user.click(screen.getByTestId("video-upload-submit"));
    await user.click(screen.getByRole("button", { name: "Cancel upload" }));
    expect(FakeXhr.last().aborted).toBe(true);
    await waitFor(() => expect(screen.getByTestId("video-upload-submit")).toBeTruthy());
    expect(screen.queryByTestId("video-upload-error")).toBeNull();
  });
});
