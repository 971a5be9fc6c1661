import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { json, mockApi } from "../test/api";
import { groupClipPasses, groupQueue, nextPath } from "./QueuePage";

const annotator = { id: 3, username: "annotator", email: "", is_staff: false };

function pass(id: number, status: "open" | "submitted", extra: Record<string, unknown> = {}) {
  return {
    id,
    project: "alpha",
    video: 100 + id,
    video_name: `clip-${id}.mp4`,
    n_frames: 300,
    pass_index: 1,
    annotator: "annotator",
    status,
    mode: "blind",
    revision: 0,
    segment_count: id,
    time_spent_s: 60 * id,
    submitted_at: status === "submitted" ? `2026-01-0${id}T00:00:00Z` : null,
    ...extra,
  };
}

async function openQueue(passes: unknown[]) {
  mockApi({
    "GET /api/v1/auth/session/": () => json(200, annotator),
    "GET /api/v1/me/assignments/": () => json(200, passes),
    "GET /api/v1/assignments/4/": () => json(404, { code: "not_found", detail: "No such pass.", fields: {} }),
  });
  window.history.pushState(null, "", "/queue");
  render(<App />);
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("my queue", () => {
  it("groups open passes first, oldest first, and submitted ones latest first", () => {
    const { open, submitted } = groupQueue([pass(5, "open"), pass(2, "submitted"), pass(4, "open"), pass(3, "submitted")] as never);
    expect(open.map((p) => p.id)).toEqual([4, 5]);
    expect(submitted.map((p) => p.id)).toEqual([3, 2]);
  });

  it("lists the passes with progress, and starts the next open one", async () => {
    await openQueue([pass(5, "open"), pass(2, "submitted"), pass(4, "open")]);
    expect(await screen.findAllByTestId("queue-item")).toHaveLength(3);
    expect(screen.getByTestId("queue-progress").textContent).toBe("1 of 3 submitted · 11:00 on task");
    expect(screen.getByTestId("queue-list").textContent).toContain("clip-4.mp4");
    fireEvent.click(screen.getByTestId("queue-start"));
    expect(window.location.pathname).toBe("/annotate/4");
    expect(await screen.findByTestId("not-found")).toBeTruthy();
  });

  it("groups clip passes per project with one link to its voting session", async () => {
    const clip = (id: number, project: string, status: "open" | "submitted") =>
      pass(id, status, { project, task_kind: "clip_classification", video_name: `dfew-${id}.mp4`, vote_label: status === "submitted" ? "happy" : null });
    const passes = [
      clip(12, "dfew", "open"),
      clip(11, "dfew", "submitted"),
      clip(13, "dfew", "open"),
      clip(14, "ferv39k", "open"),
      clip(9, "done", "submitted"),
      pass(5, "open", { task_kind: "spotting" }),
    ];
    expect(groupClipPasses(passes as never)).toEqual([
      { project: "dfew", open: 2, total: 3, firstOpen: 12 },
      { project: "ferv39k", open: 1, total: 1, firstOpen: 14 },
      { project: "done", open: 0, total: 1, firstOpen: null },
    ]);
    expect(nextPath(passes as never)).toBe("/annotate/5");
    expect(nextPath(passes.filter((p) => p.id !== 5) as never)).toBe("/projects/dfew/vote");

    await openQueue(passes);
    const rows = await screen.findAllByTestId("queue-vote-project");
    expect(rows.map((row) => [row.getAttribute("data-project"), row.textContent])).toEqual([
      ["dfew", "dfew1 of 3 clips votedVote (2 left)"],
      ["ferv39k", "ferv39k0 of 1 clip votedVote (1 left)"],
      ["done", "done1 of 1 clip votedall voted"],
    ]);
    const links = screen.getAllByTestId("queue-vote-link");
    expect(links.map((link) => link.getAttribute("href"))).toEqual(["/projects/dfew/vote", "/projects/ferv39k/vote"]);
    expect(links[0]!.getAttribute("aria-label")).toBe("Vote on the clips of dfew (2 left)");
    // No per-pass "annotate" link for a clip; the spotting pass keeps its own.
    expect(screen.getAllByTestId("queue-item").map((item) => item.textContent?.includes("clip-5.mp4"))).toEqual([true]);
    expect(screen.queryByText("dfew-12.mp4")).toBeNull();
    expect(screen.getByTestId("queue-progress").textContent).toBe("2 of 6 submitted · 1:04:00 on task");
  });

  it("starts the voting session when the oldest open pass is a clip", async () => {
    await openQueue([pass(2, "open", { project: "dfew", task_kind: "clip_classification" }), pass(4, "open", { task_kind: "spotting" })]);
    fireEvent.click(await screen.findByTestId("queue-start"));
    expect(window.location.pathname).toBe("/projects/dfew/vote");
  });

  it("says so when nothing is assigned", async () => {
    await openQueue([]);
    expect((await screen.findByTestId("queue-empty")).textContent).toContain("Nothing to annotate");
    expect(screen.queryByTestId("queue-start")).toBeNull();
  });
});
