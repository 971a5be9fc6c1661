import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { apiError, json, mockApi } from "../test/api";
import { floorFromSearch } from "./DashboardPage";
import { annotatorDetailFixture, projectAgreementFixture } from "./fixtures";
import { EMPTY_AGREEMENT } from "./plots";

const curator = { id: 2, username: "curator", email: "", is_staff: false };

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

function open(path: string) {
  window.history.pushState(null, "", path);
  render(<App />);
}

describe("floorFromSearch", () => {
  it("reads ?floor=, falling back to 0.667 for anything but a number from -1 to 1", () => {
    expect(floorFromSearch("")).toBe(0.667);
    expect(floorFromSearch("?floor=0.5")).toBe(0.5);
    expect(floorFromSearch("?floor=-0.2")).toBe(-0.2);
    expect(floorFromSearch("?floor=2")).toBe(0.667);
    expect(floorFromSearch("?floor=abc")).toBe(0.667);
    expect(floorFromSearch("?floor=")).toBe(0.667);
  });
});

describe("the dashboard", () => {
  it("plots every video and annotator, lists the queue, and asks with the URL's floor", async () => {
    const { requests } = mockApi({
      "GET /api/v1/auth/session/": () => json(200, curator),
      "GET /api/v1/projects/alpha/agreement/": () => json(200, projectAgreementFixture({ floor: 0.5 })),
    });
    open("/projects/alpha/curate?floor=0.5");
    await screen.findByTestId("curate-dashboard");
    expect(new URL(requests.at(-1)!.url).searchParams.get("floor")).toBe("0.5");
    expect(screen.getAllByTestId("alpha-point")).toHaveLength(4);
    expect(screen.getAllByTestId("reliability-row")).toHaveLength(3);
    expect(screen.getAllByTestId("progress-bar")).toHaveLength(2);
    expect(screen.getByTestId("mean-alpha").textContent).toBe("0.677");
    expect(screen.getByTestId("progress-total").textContent).toBe("16/20");
    const queue = screen.getAllByTestId("queue-row");
    expect(queue.map((row) => row.getAttribute("data-video"))).toEqual(["7"]);
    expect(within(queue[0]!).getByRole("link").getAttribute("href")).toBe("/projects/alpha/curate/videos/7");
    expect(screen.getAllByTestId("annotator-link").map((link) => link.getAttribute("href"))).toEqual([
      "/projects/alpha/curate/annotators/ann1",
      "/projects/alpha/curate/annotators/ann2",
      "/projects/alpha/curate/annotators/ann3",
    ]);
    expect((screen.getByTestId("floor-input") as HTMLInputElement).value).toBe("0.5");
  });

  it("shows blind and assisted passes apart once there are assisted passes", async () => {
    const byMode = {
      assisted: { videos: 2, videos_with_two_passes: 1, mean_frame_alpha: 0.91, mean_pairwise_f1: 0.8 },
      blind: { videos: 3, videos_with_two_passes: 3, mean_frame_alpha: 0.62, mean_pairwise_f1: null },
    };
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, curator),
      "GET /api/v1/projects/alpha/agreement/": () => json(200, { ...projectAgreementFixture(), by_mode: byMode }),
    });
    open("/projects/alpha/curate");
    await screen.findByTestId("mode-table");
    const cells = (mode: string) =>
      within(screen.getByTestId(`mode-${mode}`))
        .getAllByRole("cell")
        .map((cell) => cell.textContent);
    expect(cells("assisted")).toEqual(["2", "1", "0.910", "0.800"]);
    expect(cells("blind")).toEqual(["3", "3", "0.620", "—"]);
  });

  it("has no blind-vs-assisted table when every pass is blind", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, curator),
      "GET /api/v1/projects/alpha/agreement/": () =>
        json(200, { ...projectAgreementFixture(), by_mode: { blind: { videos: 1, videos_with_two_passes: 1, mean_frame_alpha: 1, mean_pairwise_f1: 1 } } }),
    });
    open("/projects/alpha/curate");
    await screen.findByTestId("curate-dashboard");
    expect(screen.queryByTestId("mode-table")).toBeNull();
  });

  it("changing the floor rewrites ?floor= and asks again", async () => {
    const { requests } = mockApi({
      "GET /api/v1/auth/session/": () => json(200, curator),
      "GET /api/v1/projects/alpha/agreement/": () => json(200, projectAgreementFixture()),
    });
    open("/projects/alpha/curate");
    await screen.findByTestId("curate-dashboard");
    expect(new URL(requests.at(-1)!.url).searchParams.get("floor")).toBe("0.667");
    fireEvent.change(screen.getByTestId("floor-input"), { target: { value: "0.8" } });
    expect(window.location.search).toBe("?floor=0.8");
    await waitFor(() => expect(new URL(requests.at(-1)!.url).searchParams.get("floor")).toBe("0.8"));
    fireEvent.change(screen.getByTestId("floor-input"), { target: { value: "7" } });
    expect(window.location.search).toBe("?floor=0.8");
    expect(screen.getByText("A number from −1 to 1.")).toBeTruthy();
  });

  it("clicking a point opens the video's review page", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, curator),
      "GET /api/v1/projects/alpha/agreement/": () => json(200, projectAgreementFixture()),
    });
    open("/projects/alpha/curate");
    await screen.findByTestId("curate-dashboard");
    fireEvent.click(screen.getAllByTestId("alpha-point")[0]!);
    expect(window.location.pathname).toBe("/projects/alpha/curate/videos/7");
  });

  it("shows the empty state before two passes of any video are submitted", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, curator),
      "GET /api/v1/projects/alpha/agreement/": () =>
        json(
          200,
          projectAgreementFixture({
            videos: [],
            annotators: [],
            mean_frame_alpha: null,
            mean_pairwise_f1: null,
            below_floor: [],
            boundary_histogram: { clip: 15, bins: [] },
          }),
        ),
    });
    open("/projects/alpha/curate");
    await screen.findByTestId("curate-dashboard");
    const empties = screen.getAllByTestId("plot-empty");
    expect(empties.map((element) => element.textContent)).toEqual([EMPTY_AGREEMENT, EMPTY_AGREEMENT, EMPTY_AGREEMENT]);
    expect(screen.queryByTestId("alpha-plot")).toBeNull();
    expect(screen.getByTestId("mean-alpha").textContent).toBe("—");
  });

  it("builds a consensus and shows the result", async () => {
    const { requests } = mockApi({
      "GET /api/v1/auth/session/": () => json(200, curator),
      "GET /api/v1/projects/alpha/agreement/": () => json(200, projectAgreementFixture()),
      "POST /api/v1/projects/alpha/consensus/": () => json(201, { version: 4, method: "mean", segments: 12, videos: 3, needs_curator: 2 }),
    });
    open("/projects/alpha/curate");
    await screen.findByTestId("curate-dashboard");
    fireEvent.change(screen.getByTestId("consensus-method"), { target: { value: "mean" } });
    await act(async () => {
      fireEvent.click(screen.getByTestId("build-consensus"));
    });
    expect((await screen.findByTestId("consensus-result")).textContent).toBe("Version 4 (mean): 12 segments on 3 videos, 2 need a curator.");
    const post = requests.find((request) => request.method === "POST");
    expect(await post?.json()).toEqual({ method: "mean" });
  });

  it("an annotator (404) sees not found", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, { ...curator, username: "annotator" }),
      "GET /api/v1/projects/alpha/agreement/": () => apiError(404, "not_found", "No such project."),
    });
    open("/projects/alpha/curate");
    expect(await screen.findByTestId("not-found")).toBeTruthy();
  });
});

describe("the annotator page", () => {
  it("shows the summary, the drift and a point per defined value over time", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, curator),
      "GET /api/v1/projects/alpha/annotators/ann1/": () => json(200, annotatorDetailFixture()),
    });
    open("/projects/alpha/curate/annotators/ann1");
    await screen.findByTestId("curate-annotator");
    expect(screen.getAllByTestId("f1-series-point")).toHaveLength(3);
    expect(screen.getAllByTestId("bias-series-point")).toHaveLength(6);
    expect(screen.getAllByTestId("annotator-pass-row")).toHaveLength(4);
    expect(screen.getByTestId("drift").textContent).toContain("0.850 → 0.700");
    expect(screen.getByTestId("drift").textContent).toContain("+5");
  });
});
