import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { json, mockApi } from "../test/api";
import { groupQueue } from "./QueuePage";

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

  it("says so when nothing is assigned", async () => {
    await openQueue([]);
    expect((await screen.findByTestId("queue-empty")).textContent).toContain("Nothing to annotate");
    expect(screen.queryByTestId("queue-start")).toBeNull();
  });
});
