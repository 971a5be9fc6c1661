import { act, cleanup, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { apiError, json, mockApi } from "../test/api";
import { videoFixture } from "../test/videos";
import { activeSeconds } from "./AnnotatePage";
import { draftKey } from "./autosave";

const annotator = { id: 3, username: "annotator", email: "", is_staff: false };

function assignmentFixture(overrides: Record<string, unknown> = {}) {
  return {
    id: 11,
    project: "alpha",
    video: 7,
    pass_index: 1,
    annotator: "annotator",
    status: "open",
    mode: "blind",
    revision: 2,
    time_spent_s: 0,
    submitted_at: null,
    reopened_reason: "",
    segments: [{ client_id: "s1", onset: 10, apex: null, offset: 20, type: "macro", emotion: "happy", aus: [], note: "" }],
    label_schema: { guidelines: "Look at the eyes first." },
    ...overrides,
  };
}

type Handler = (request: Request) => Response | Promise<Response>;

function mockAnnotateApi(routes: Record<string, Handler> = {}, assignment = assignmentFixture()) {
  return mockApi({
    "GET /api/v1/auth/session/": () => json(200, annotator),
    "GET /api/v1/assignments/11/": () => json(200, assignment),
    "GET /api/v1/videos/7/": () => json(200, videoFixture({ n_frames: 300 })),
    "PUT /api/v1/assignments/11/segments/": async (request) => {
      const body = (await request.json()) as { revision: number };
      return json(200, { revision: body.revision + 1 });
    },
    ...routes,
  });
}

async function openPage() {
  window.history.pushState(null, "", "/annotate/11");
  render(<App />);
  const page = await screen.findByTestId("annotator");
  // Let the page's effects (the keyboard listener, the saver) run before the test types.
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  return page;
}

function saveState(): string | null {
  return screen.getByTestId("save-state").getAttribute("data-state");
}

async function putBodies(requests: Request[]) {
  const puts = requests.filter((request) => request.method === "PUT");
  return Promise.all(puts.map(async (request) => (await request.clone().json()) as { revision: number; segments: { client_id: string; onset: number; offset: number; type: string; emotion: string }[] }));
}

function key(keyName: string, extra: Record<string, unknown> = {}) {
  fireEvent.keyDown(window, { key: keyName, ...extra });
}

beforeEach(() => {
  window.localStorage.clear();
  vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(() => undefined);
  vi.spyOn(HTMLMediaElement.prototype, "play").mockImplementation(() => Promise.resolve());
});

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("the annotation page", () => {
  it("shows the pass, its segments and the guidelines", async () => {
    mockAnnotateApi();
    await openPage();
    expect(screen.getByTestId("video-player").getAttribute("src")).toBe("/api/v1/videos/7/proxy/");
    expect(screen.getAllByTestId("segment-row")).toHaveLength(1);
    const bar = screen.getByTestId("timeline-segment");
    expect(bar.getAttribute("data-onset")).toBe("10");
    expect(bar.getAttribute("data-offset")).toBe("20");
    expect(screen.getByTestId("guidelines").textContent).toContain("Look at the eyes first.");
    expect(saveState()).toBe("saved");
  });

  it("makes a segment with i and o, labels it with keys, and saves the whole list", async () => {
    const { requests } = mockAnnotateApi();
    await openPage();
    const video = screen.getByTestId("video-player") as HTMLVideoElement;
    fireEvent.submit(screen.getByTestId("goto-frame-input").closest("form") as HTMLFormElement, {});
    fireEvent.change(screen.getByTestId("goto-frame-input"), { target: { value: "30" } });
    fireEvent.click(screen.getByTestId("goto-frame-submit"));
    expect(video.currentTime).toBeCloseTo(30.5 * (1001 / 30000), 6);
    key("i");
    fireEvent.change(screen.getByTestId("goto-frame-input"), { target: { value: "45" } });
    fireEvent.click(screen.getByTestId("goto-frame-submit"));
    key("o");
    key("u");
    key("3");
    expect(saveState()).toBe("unsaved");
    await waitFor(() => expect(saveState()).toBe("saved"), { timeout: 3000 });
    const bodies = await putBodies(requests);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.revision).toBe(2);
    expect(bodies[0]?.segments.map((s) => [s.onset, s.offset, s.type, s.emotion])).toEqual([
      [10, 20, "macro", "happy"],
      [30, 45, "micro", "neutral"],
    ]);
    expect(screen.getAllByTestId("timeline-segment")).toHaveLength(2);
    expect((screen.getByTestId("label-type-micro") as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId("label-emotion") as HTMLSelectElement).value).toBe("neutral");

    // Undo all the way back to the server's list, then redo.
    for (let i = 0; i < 4; i += 1) key("z", { ctrlKey: true });
    expect(screen.getAllByTestId("timeline-segment")).toHaveLength(1);
    key("y", { ctrlKey: true });
    expect(screen.getAllByTestId("timeline-segment")).toHaveLength(2);
  });

  it("never takes keys typed in a text field", async () => {
    mockAnnotateApi();
    await openPage();
    key("Tab");
    const note = screen.getByTestId("label-note");
    fireEvent.keyDown(note, { key: "i" });
    fireEvent.keyDown(note, { key: "Delete" });
    expect(screen.getAllByTestId("timeline-segment")).toHaveLength(1);
    expect(saveState()).toBe("saved");
  });

  it("deletes the selected segment and restores it with undo", async () => {
    mockAnnotateApi();
    await openPage();
    key("Tab");
    key("Delete");
    expect(screen.queryAllByTestId("timeline-segment")).toHaveLength(0);
    key("z", { ctrlKey: true });
    expect(screen.getAllByTestId("timeline-segment")).toHaveLength(1);
  });

  it("shows a conflict without losing the edit, and keeps mine on the server's revision", async () => {
    let stale = true;
    const { requests } = mockAnnotateApi({
      "PUT /api/v1/assignments/11/segments/": async (request) => {
        const body = (await request.json()) as { revision: number };
        if (stale) {
          stale = false;
          return apiError(409, "stale_revision", "The pass changed since revision 2.");
        }
        return json(200, { revision: body.revision + 1 });
      },
    });
    await openPage();
    key("Tab");
    key("u");
    const panel = await screen.findByTestId("conflict-panel", {}, { timeout: 3000 });
    expect(saveState()).toBe("conflict");
    expect(within(screen.getByTestId("segment-list")).getByText("micro")).toBeTruthy();
    await waitFor(() => expect((screen.getByTestId("conflict-keep-mine") as HTMLButtonElement).disabled).toBe(false));
    expect(panel.textContent).toContain("changed elsewhere");
    fireEvent.click(screen.getByTestId("conflict-keep-mine"));
    await waitFor(() => expect(saveState()).toBe("saved"));
    const bodies = await putBodies(requests);
    expect(bodies.map((b) => b.revision)).toEqual([2, 2]);
    expect(bodies[1]?.segments[0]?.type).toBe("micro");
    expect(screen.queryByTestId("conflict-panel")).toBeNull();
  });

  it("marks the segment the server rejected", async () => {
    mockAnnotateApi({
      "PUT /api/v1/assignments/11/segments/": () =>
        apiError(400, "invalid", "segments.0.emotion: not an emotion", { "segments.0.emotion": ["'x' is not an emotion of this project."] }),
    });
    await openPage();
    key("Tab");
    key("u");
    await waitFor(() => expect(screen.getByTestId("segment-row").getAttribute("aria-invalid")).toBe("true"), { timeout: 3000 });
    expect(saveState()).toBe("unsaved");
    expect(screen.getByTestId("label-errors").textContent).toContain("is not an emotion");
    expect(screen.getByTestId("timeline-segment").className).toContain("annot-bar-invalid");
  });

  it("re-applies a stored draft made on the server's revision, and sends it", async () => {
    window.localStorage.setItem(
      draftKey(11),
      JSON.stringify({
        baseRevision: 2,
        writer: "old-tab",
        savedAt: "",
        segments: [{ client_id: "s9", onset: 50, apex: null, offset: 60, type: "micro", emotion: "sad", aus: [], note: "" }],
      }),
    );
    const { requests } = mockAnnotateApi();
    await openPage();
    expect(screen.getByTestId("timeline-segment").getAttribute("data-onset")).toBe("50");
    await waitFor(() => expect(saveState()).toBe("saved"), { timeout: 3000 });
    expect((await putBodies(requests))[0]?.segments[0]?.client_id).toBe("s9");
  });

  it("treats a draft on an older revision as a conflict", async () => {
    window.localStorage.setItem(
      draftKey(11),
      JSON.stringify({ baseRevision: 1, writer: "old-tab", savedAt: "", segments: [{ client_id: "s9", onset: 50, apex: null, offset: 60, type: "micro", emotion: "", aus: [], note: "" }] }),
    );
    const { requests } = mockAnnotateApi();
    await openPage();
    await waitFor(() => expect(saveState()).toBe("conflict"));
    await waitFor(() => expect((screen.getByTestId("conflict-take-theirs") as HTMLButtonElement).disabled).toBe(false));
    fireEvent.click(screen.getByTestId("conflict-take-theirs"));
    expect(saveState()).toBe("saved");
    expect(screen.getByTestId("timeline-segment").getAttribute("data-onset")).toBe("10");
    expect(screen.getByTestId("download-draft")).toBeTruthy();
    expect(requests.filter((request) => request.method === "PUT")).toHaveLength(0);
  });

  it("lists problems before submitting and locks the page after", async () => {
    const submitted = { ...assignmentFixture(), status: "submitted" };
    mockAnnotateApi({ "POST /api/v1/assignments/11/submit/": () => json(200, submitted) });
    await openPage();
    // A new segment without an emotion blocks the submit.
    key("i", {});
    fireEvent.click(screen.getByTestId("submit-pass"));
    expect(screen.getByTestId("submit-problems").textContent).toContain("has no emotion");
    expect((screen.getByTestId("submit-confirm") as HTMLButtonElement).disabled).toBe(true);
    key("Escape");
    expect(screen.queryByTestId("submit-dialog")).toBeNull();
    key("1");
    await waitFor(() => expect(saveState()).toBe("saved"), { timeout: 3000 });
    fireEvent.click(screen.getByTestId("submit-pass"));
    expect((screen.getByTestId("submit-confirm") as HTMLButtonElement).disabled).toBe(false);
    fireEvent.click(screen.getByTestId("submit-confirm"));
    await screen.findByTestId("submitted-banner");
    expect(screen.queryByTestId("submit-pass")).toBeNull();
    key("i");
    expect(screen.getAllByTestId("timeline-segment")).toHaveLength(2);
  });

  it("jumps to the selected segment's edges and plays it", async () => {
    mockAnnotateApi();
    await openPage();
    const video = screen.getByTestId("video-player") as HTMLVideoElement;
    const seek = (n: number) => ((n + 0.5) * 1001) / 30000;
    key("Tab");
    key("]");
    expect(video.currentTime).toBeCloseTo(seek(20), 6);
    key("[");
    expect(video.currentTime).toBeCloseTo(seek(10), 6);
    key("ArrowRight", { shiftKey: true });
    expect(video.currentTime).toBeCloseTo(seek(20), 6);
    key("p");
    expect(video.currentTime).toBeCloseTo(seek(10), 6);
    expect(HTMLMediaElement.prototype.play).toHaveBeenCalled();
  });

  it("toggles the help overlay with ?", async () => {
    mockAnnotateApi();
    await openPage();
    key("?");
    expect(screen.getByTestId("help-overlay").textContent).toContain("Set onset at the playhead");
    key("?");
    expect(screen.queryByTestId("help-overlay")).toBeNull();
  });
});

const proposalsFixture = [
  { id: 101, onset: 30, offset: 45, type: "macro", score: 0.91, model: 5, model_name: "baseline v1" },
  { id: 102, onset: 60, offset: 66, type: "micro", score: 0.72, model: 5, model_name: "baseline v1" },
  { id: 103, onset: 100, offset: 120, type: "macro", score: 0.55, model: 5, model_name: "baseline v1" },
];

function mockAssistedApi(overrides: Record<string, unknown> = {}, proposals: unknown[] = proposalsFixture) {
  return mockAnnotateApi(
    { "GET /api/v1/videos/7/proposals/": () => json(200, proposals) },
    assignmentFixture({ mode: "assisted", rejected_proposals: [], ...overrides }),
  );
}

async function assistedPuts(requests: Request[]) {
  const puts = requests.filter((request) => request.method === "PUT");
  return Promise.all(
    puts.map(
      async (request) =>
        (await request.clone().json()) as {
          revision: number;
          rejected_proposals?: number[];
          segments: { client_id: string; onset: number; offset: number; type: string; proposal: number | null }[];
        },
    ),
  );
}

function ghostIds(): string[] {
  return screen.queryAllByTestId("timeline-ghost").map((ghost) => ghost.getAttribute("data-proposal-id") ?? "");
}

describe("an assisted pass", () => {
  it("draws the proposals as ghosts, but not those linked or rejected", async () => {
    const { requests } = mockAssistedApi({
      rejected_proposals: [103],
      segments: [
        { client_id: "s1", onset: 10, apex: null, offset: 20, type: "macro", emotion: "happy", aus: [], note: "", proposal: null, source: "manual" },
        { client_id: "s2", onset: 60, apex: null, offset: 64, type: "micro", emotion: "", aus: [], note: "", proposal: 102, source: "edited" },
      ],
    });
    await openPage();
    await waitFor(() => expect(ghostIds()).toEqual(["101"]));
    const ghost = screen.getByTestId("timeline-ghost");
    expect(ghost.getAttribute("data-onset")).toBe("30");
    expect(ghost.getAttribute("data-offset")).toBe("45");
    expect(ghost.getAttribute("title")).toContain("macro · score 0.91");
    expect(screen.getByTestId("proposals-left").textContent).toContain("1 proposal left");
    expect(requests.filter((request) => request.url.endsWith("/api/v1/videos/7/proposals/"))).toHaveLength(1);
    // The provenance of the selected segment.
    fireEvent.click(screen.getAllByTestId("segment-row")[1] as HTMLElement);
    expect(screen.getByTestId("segment-provenance").getAttribute("data-source")).toBe("edited");
    fireEvent.click(screen.getAllByTestId("segment-row")[0] as HTMLElement);
    expect(screen.getByTestId("segment-provenance").getAttribute("data-source")).toBe("manual");
  });

  it("accepts the proposal g goes to with Enter, saves it linked, and undoes it", async () => {
    const { requests } = mockAssistedApi();
    await openPage();
    await waitFor(() => expect(ghostIds()).toEqual(["101", "102", "103"]));
    const video = screen.getByTestId("video-player") as HTMLVideoElement;
    key("g");
    expect(video.currentTime).toBeCloseTo(30.5 * (1001 / 30000), 6);
    expect(screen.getAllByTestId("timeline-ghost")[0]?.getAttribute("data-current")).toBe("true");
    expect(screen.getByTestId("proposal-current").textContent).toContain("score 0.91");
    key("Enter");
    expect(ghostIds()).toEqual(["102", "103"]);
    const bars = screen.getAllByTestId("timeline-segment");
    expect(bars).toHaveLength(2);
    expect(screen.getByTestId("segment-provenance").getAttribute("data-source")).toBe("accepted");
    expect((screen.getByTestId("label-type-macro") as HTMLInputElement).checked).toBe(true);
    await waitFor(() => expect(saveState()).toBe("saved"), { timeout: 3000 });
    let bodies = await assistedPuts(requests);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]?.rejected_proposals).toEqual([]);
    expect(bodies[0]?.segments.map((s) => [s.onset, s.offset, s.type, s.proposal])).toEqual([
      [10, 20, "macro", null],
      [30, 45, "macro", 101],
    ]);

    // Trimming makes it "edited" on the page, as the server will derive it.
    key("]");
    key("ArrowLeft");
    key("o");
    expect(screen.getByTestId("segment-provenance").getAttribute("data-source")).toBe("edited");
    key("z", { ctrlKey: true });
    expect(screen.getByTestId("segment-provenance").getAttribute("data-source")).toBe("accepted");

    // Undo the acceptance: the ghost is back.
    key("z", { ctrlKey: true });
    expect(ghostIds()).toEqual(["101", "102", "103"]);
    expect(screen.getAllByTestId("timeline-segment")).toHaveLength(1);
    await waitFor(() => expect(saveState()).toBe("saved"), { timeout: 3000 });
    bodies = await assistedPuts(requests);
    expect(bodies[bodies.length - 1]?.segments.map((s) => s.proposal)).toEqual([null]);
  });

  it("rejects the current proposal with x, saves the rejection, and undoes it", async () => {
    const { requests } = mockAssistedApi();
    await openPage();
    await waitFor(() => expect(ghostIds()).toHaveLength(3));
    key("g");
    key("g");
    expect(screen.getAllByTestId("timeline-ghost")[1]?.getAttribute("data-current")).toBe("true");
    key("x");
    expect(ghostIds()).toEqual(["101", "103"]);
    expect(screen.getAllByTestId("timeline-segment")).toHaveLength(1);
    expect(screen.getByTestId("proposals-left").textContent).toContain("2 proposals left");
    await waitFor(() => expect(saveState()).toBe("saved"), { timeout: 3000 });
    let bodies = await assistedPuts(requests);
    expect(bodies[0]?.rejected_proposals).toEqual([102]);
    expect(bodies[0]?.segments).toHaveLength(1);
    key("z", { ctrlKey: true });
    expect(ghostIds()).toEqual(["101", "102", "103"]);
    await waitFor(() => expect(saveState()).toBe("saved"), { timeout: 3000 });
    bodies = await assistedPuts(requests);
    expect(bodies[bodies.length - 1]?.rejected_proposals).toEqual([]);
    // The proposal is current again; Shift+G goes back to the one before it.
    expect(screen.getAllByTestId("timeline-ghost")[1]?.getAttribute("data-current")).toBe("true");
    key("G", { shiftKey: true });
    expect(screen.getAllByTestId("timeline-ghost")[0]?.getAttribute("data-current")).toBe("true");
    key("G", { shiftKey: true });
    expect(screen.getAllByTestId("timeline-ghost")[2]?.getAttribute("data-current")).toBe("true");
  });

  it("makes a clicked ghost current, with Accept and Reject buttons", async () => {
    mockAssistedApi();
    await openPage();
    await waitFor(() => expect(ghostIds()).toHaveLength(3));
    expect(screen.queryByTestId("proposal-current")).toBeNull();
    const video = screen.getByTestId("video-player") as HTMLVideoElement;
    fireEvent.pointerDown(screen.getAllByTestId("timeline-ghost")[2] as HTMLElement, { button: 0 });
    expect(screen.getByTestId("proposal-current").getAttribute("data-proposal-id")).toBe("103");
    expect(video.currentTime).toBeCloseTo(100.5 * (1001 / 30000), 6);
    fireEvent.click(screen.getByTestId("proposal-reject"));
    expect(ghostIds()).toEqual(["101", "102"]);
    fireEvent.pointerDown(screen.getAllByTestId("timeline-ghost")[1] as HTMLElement, { button: 0 });
    fireEvent.click(screen.getByTestId("proposal-accept"));
    expect(ghostIds()).toEqual(["101"]);
    expect(screen.getAllByTestId("timeline-segment")).toHaveLength(2);
    expect((screen.getByTestId("label-type-micro") as HTMLInputElement).checked).toBe(true);
  });

  it("keeps Enter and n deselecting when no proposal is current", async () => {
    mockAssistedApi();
    await openPage();
    await waitFor(() => expect(ghostIds()).toHaveLength(3));
    key("Tab");
    expect(screen.getByTestId("label-panel")).toBeTruthy();
    key("Enter");
    expect(screen.queryByTestId("label-panel")).toBeNull();
    expect(screen.getAllByTestId("timeline-segment")).toHaveLength(1);
    expect(ghostIds()).toHaveLength(3);
  });

  it("says so when the model proposed nothing", async () => {
    mockAssistedApi({}, []);
    await openPage();
    expect((await screen.findByTestId("proposals-empty")).textContent).toContain("proposed nothing");
    expect(screen.queryAllByTestId("timeline-ghost")).toHaveLength(0);
  });

  it("documents the proposal keys in the help", async () => {
    mockAssistedApi();
    await openPage();
    key("?");
    expect(screen.getByTestId("help-overlay").textContent).toContain("Reject the current proposal");
  });
});

describe("a blind pass", () => {
  it("never asks for proposals nor draws ghosts, and g, x do nothing", async () => {
    const { requests } = mockAnnotateApi();
    await openPage();
    key("g");
    key("x");
    key("Enter");
    expect(screen.queryAllByTestId("timeline-ghost")).toHaveLength(0);
    expect(screen.queryByTestId("proposal-panel")).toBeNull();
    expect(screen.getAllByTestId("timeline-segment")).toHaveLength(1);
    key("Tab");
    expect(screen.queryByTestId("segment-provenance")).toBeNull();
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 50));
    });
    expect(requests.some((request) => request.url.includes("/proposals/"))).toBe(false);
    expect(requests.filter((request) => request.method === "PUT")).toHaveLength(0);
  });
});

describe("time on task", () => {
  it("counts a tick while the page is visible and used, not when idle or hidden", () => {
    expect(activeSeconds(130_000, 100_000, 120_000, true)).toBe(30);
    expect(activeSeconds(130_000, 125_000, 120_000, true)).toBe(5);
    expect(activeSeconds(200_000, 100_000, 190_000, true)).toBe(30);
    expect(activeSeconds(190_000, 160_000, 120_000, true)).toBe(0);
    expect(activeSeconds(130_000, 100_000, 120_000, false)).toBe(0);
  });
});
