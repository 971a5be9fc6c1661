import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { apiError, json, mockApi } from "../test/api";
import { videoFixture } from "../test/videos";
import { consensusFixture, consensusSegmentFixture, passesFixture, videoAgreementFixture } from "./fixtures";
import { EMPTY_AGREEMENT } from "./plots";

const curator = { id: 2, username: "curator", email: "", is_staff: false };
const project = { slug: "alpha", name: "Alpha", description: "", task_kind: "spotting", passes_per_item: 3, label_schema: {}, role: "curator", created_at: "2026-01-01T00:00:00Z" };

type Handler = (request: Request) => Response | Promise<Response>;

function mockReviewApi(routes: Record<string, Handler> = {}) {
  return mockApi({
    "GET /api/v1/auth/session/": () => json(200, curator),
    "GET /api/v1/videos/7/": () => json(200, videoFixture({ n_frames: 300 })),
    "GET /api/v1/projects/alpha/": () => json(200, project),
    "GET /api/v1/videos/7/passes/": () => json(200, passesFixture()),
    "GET /api/v1/videos/7/agreement/": () => json(200, videoAgreementFixture()),
    "GET /api/v1/videos/7/consensus/": () => json(200, consensusFixture(3)),
    ...routes,
  });
}

async function openReview() {
  window.history.pushState(null, "", "/projects/alpha/curate/videos/7");
  render(<App />);
  const page = await screen.findByTestId("curate-review");
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  return page;
}

function key(name: string, extra: Record<string, unknown> = {}) {
  act(() => {
    fireEvent.keyDown(window, { key: name, ...extra });
  });
}

function bars() {
  return screen.getAllByTestId("consensus-segment").map((bar) => [bar.getAttribute("data-key"), Number(bar.getAttribute("data-onset")), Number(bar.getAttribute("data-offset"))]);
}

beforeEach(() => {
  vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(() => undefined);
  vi.spyOn(HTMLMediaElement.prototype, "play").mockImplementation(() => Promise.resolve());
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("the review page", () => {
  it("shows a row per pass and the consensus, disagreements marked, and the agreement figures", async () => {
    mockReviewApi();
    await openReview();
    expect(screen.getAllByTestId("pass-row").map((row) => row.getAttribute("data-annotator"))).toEqual(["ann1", "ann2", "ann3"]);
    expect(screen.getAllByTestId("pass-segment")).toHaveLength(8);
    const unmatched = screen.getAllByTestId("pass-segment").filter((bar) => bar.getAttribute("data-unmatched") === "true");
    expect(unmatched.map((bar) => bar.getAttribute("data-segment-id"))).toEqual(["34"]);
    expect(screen.getAllByTestId("consensus-segment").map((bar) => bar.getAttribute("data-disputed"))).toEqual(["false", "true", "true"]);
    expect(screen.getByTestId("consensus-version").textContent).toBe("consensus v3 (median)");
    const alphas = screen.getAllByTestId("alpha-row").map((row) => row.textContent);
    expect(alphas[0]).toBe("Frame labels (nominal)0.410");
    expect(alphas[4]).toBe("Type (nominal)undefinedno variation: every pairable value is the same");
    expect(screen.getAllByTestId("f1-cell").map((cell) => cell.textContent)).toEqual(["", "0.80", "0.67", "0.80", "", "0.40", "0.67", "0.40", ""]);
  });

  it("adjudicates with the keyboard and saves a new version with Enter", async () => {
    let consensusCalls = 0;
    const { requests } = mockReviewApi({
      "GET /api/v1/videos/7/consensus/": () => {
        consensusCalls += 1;
        return json(200, consensusCalls === 1 ? consensusFixture(3) : { ...consensusFixture(4), segments: [consensusSegmentFixture({ id: 9, onset: 13, offset: 20 })] });
      },
      "POST /api/v1/videos/7/consensus/": () => json(201, { version: 4, based_on: 3 }),
    });
    await openReview();

    key("k"); // the first segment, 10–20
    expect(screen.getByTestId("selected-segment").getAttribute("data-key")).toBe("c1");
    key("ArrowRight");
    key("ArrowRight");
    key("ArrowRight");
    key("["); // onset at frame 13
    key("k"); // 40–51, flagged
    key("a");
    expect(screen.queryByTestId("flagged-left")).toBeNull();
    key("k"); // 80–90
    key("x");
    key("n", {}); // a new one at the playhead: 80 (where selecting the third segment went)
    key("]", {});
    key("t");
    expect(bars()).toEqual([
      ["c1", 13, 20],
      ["c2", 40, 51],
      [expect.stringMatching(/^n-/), 80, 80],
    ]);
    expect(screen.getByTestId("draft-state").getAttribute("data-state")).toBe("dirty");

    key("Enter");
    expect((await screen.findByTestId("save-result")).textContent).toBe("Saved as consensus version 4.");
    const post = requests.find((request) => request.method === "POST");
    expect(await post?.json()).toEqual({
      base_version: 3,
      note: "",
      segments: [
        { onset: 13, apex: null, offset: 20, type: "macro", emotion: "", aus: [], member_segment_ids: [11, 21, 31] },
        { onset: 40, apex: null, offset: 51, type: "macro", emotion: "", aus: [], member_segment_ids: [12, 22] },
        { onset: 80, apex: null, offset: 80, type: "micro", emotion: "", aus: [], member_segment_ids: [] },
      ],
    });
    // The page moved on to the new version.
    expect(screen.getByTestId("consensus-version").textContent).toBe("consensus v4 (median)");
    expect(bars()).toEqual([["c9", 13, 20]]);
    expect(screen.getByTestId("draft-state").getAttribute("data-state")).toBe("saved");
  });

  it("adds a pass segment picked with Shift+click", async () => {
    const { requests } = mockReviewApi({ "POST /api/v1/videos/7/consensus/": () => json(201, { version: 4, based_on: 3 }) });
    await openReview();
    const lonely = screen.getAllByTestId("pass-segment").find((bar) => bar.getAttribute("data-segment-id") === "34")!;
    fireEvent.click(lonely, { shiftKey: true });
    expect(screen.getByTestId("picked-segment").textContent).toContain("200–210");
    key("n");
    expect(bars().at(-1)?.slice(1)).toEqual([200, 210]);
    expect(screen.getAllByTestId("pass-segment").filter((bar) => bar.getAttribute("data-unmatched") === "true")).toHaveLength(0);
    await act(async () => {
      fireEvent.keyDown(window, { key: "s", ctrlKey: true });
    });
    await screen.findByTestId("save-result");
    const body = (await requests.find((request) => request.method === "POST")?.json()) as { segments: { member_segment_ids: number[] }[] };
    expect(body.segments.map((segment) => segment.member_segment_ids)).toEqual([[11, 21, 31], [12, 22], [13, 33], [34]]);
  });

  it("a stale base (409) keeps the draft and offers to reload", async () => {
    let consensusCalls = 0;
    mockReviewApi({
      "GET /api/v1/videos/7/consensus/": () => {
        consensusCalls += 1;
        return json(200, consensusCalls === 1 ? consensusFixture(3) : consensusFixture(5));
      },
      "POST /api/v1/videos/7/consensus/": () => apiError(409, "stale_version", "The consensus is at version 5, not 3; reload and decide again."),
    });
    await openReview();
    key("k");
    key("x");
    expect(bars().map((bar) => bar[0])).toEqual(["c2", "c3"]);
    key("Enter");
    const panel = await screen.findByTestId("save-conflict");
    expect(panel.textContent).toContain("The consensus is at version 5, not 3; reload and decide again.");
    expect(screen.getByTestId("draft-state").getAttribute("data-state")).toBe("conflict");
    // The draft is still on screen.
    expect(bars().map((bar) => bar[0])).toEqual(["c2", "c3"]);
    await act(async () => {
      fireEvent.click(screen.getByTestId("reload-consensus"));
    });
    await waitFor(() => expect(screen.getByTestId("consensus-version").textContent).toBe("consensus v5 (median)"));
    expect(bars().map((bar) => bar[0])).toEqual(["c1", "c2", "c3"]);
    expect(screen.queryByTestId("save-conflict")).toBeNull();
  });

  it("keeping the draft after a 409 saves it on top of the latest version", async () => {
    let consensusCalls = 0;
    let posts = 0;
    const { requests } = mockReviewApi({
      "GET /api/v1/videos/7/consensus/": () => {
        consensusCalls += 1;
        return json(200, consensusCalls === 1 ? consensusFixture(3) : consensusFixture(5));
      },
      "POST /api/v1/videos/7/consensus/": () => {
        posts += 1;
        return posts === 1 ? apiError(409, "stale_version", "Stale.") : json(201, { version: 6, based_on: 5 });
      },
    });
    await openReview();
    key("k");
    key("x");
    key("Enter");
    await screen.findByTestId("save-conflict");
    await act(async () => {
      fireEvent.click(screen.getByTestId("keep-draft"));
    });
    await waitFor(() => expect(screen.queryByTestId("save-conflict")).toBeNull());
    expect(bars().map((bar) => bar[0])).toEqual(["c2", "c3"]);
    key("Enter");
    await screen.findByTestId("save-result");
    const bodies = await Promise.all(requests.filter((request) => request.method === "POST").map((request) => request.json() as Promise<{ base_version: number; segments: unknown[] }>));
    expect(bodies.map((body) => [body.base_version, body.segments.length])).toEqual([
      [3, 2],
      [5, 2],
    ]);
  });

  it("before any consensus: an empty state with a build button, and the waiting agreement", async () => {
    mockReviewApi({
      "GET /api/v1/videos/7/consensus/": () => apiError(404, "not_found", "No consensus has been built for this project yet."),
      "GET /api/v1/videos/7/agreement/": () => json(200, { video: 7, status: "waiting", detail: "Agreement needs at least two submitted passes." }),
    });
    await openReview();
    expect(screen.getByTestId("no-consensus")).toBeTruthy();
    expect(screen.getByTestId("video-agreement").textContent).toContain(EMPTY_AGREEMENT);
    expect((screen.getByTestId("save-consensus") as HTMLButtonElement).disabled).toBe(true);
  });

  it("the help panel opens and closes with ?", async () => {
    mockReviewApi();
    await openReview();
    key("?");
    expect(screen.getByTestId("help-overlay").textContent).toContain("Reject: remove the segment from the consensus");
    key("?");
    expect(screen.queryByTestId("help-overlay")).toBeNull();
  });
});
