import { fireEvent, render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import type { ClipAgreement, ClipVotes } from "../api/endpoints";
import { apiError, json, mockApi } from "../test/api";
import { classColour, raisesAlpha, UNUSABLE_COLOUR, voteStack } from "./ClipStatsPanel";

const curator = { id: 2, username: "curator", email: "", is_staff: false };
const CLASSES = ["happy", "sad", "neutral", "angry", "surprise", "disgust", "fear"];

function clipProject(role: string) {
  return {
    id: 5,
    name: "DFEW clips",
    slug: "dfew",
    description: "",
    task_kind: "clip_classification",
    passes_per_item: 10,
    label_schema: {},
    role,
    created_at: "2026-01-01T00:00:00Z",
  };
}

function clip(video: number, votes: Record<string, number>, unusable: number, status: ClipVotes["status"], label: string | null = null): ClipVotes {
  const n = Object.values(votes).reduce((a, b) => a + b, 0) + unusable;
  const [top, topVotes] = Object.entries(votes).sort((a, b) => b[1] - a[1])[0] ?? [null, 0];
  return { video, name: `clip-${video}.mp4`, subject: "s01", votes, unusable, n_votes: n, label, top, top_votes: topVotes, status };
}

function confusion(cells: [number, number, number][]): number[][] {
  const matrix = CLASSES.map(() => CLASSES.map(() => 0));
  for (const [row, column, count] of cells) matrix[row]![column] = count;
  return matrix;
}

function clipAgreementFixture(overrides: Partial<ClipAgreement> = {}): ClipAgreement {
  return {
    classes: CLASSES,
    threshold: 5,
    passes_per_item: 10,
    n_clips: 4,
    n_votes: 37,
    n_unusable: 3,
    alpha: { value: 0.412, reason: null },
    kappa: { value: null, reason: "no clip has all its votes from the same raters", n_clips: 3, n_raters: 10 },
    single_labelled: { count: 2, by_class: { happy: 1, sad: 1 } },
    clips: [
      clip(201, { happy: 8, sad: 1 }, 1, "single", "happy"),
      clip(202, { sad: 6, angry: 4 }, 0, "single", "sad"),
      clip(203, { happy: 4, surprise: 4, fear: 1 }, 1, "ambiguous"),
      clip(204, { neutral: 5 }, 1, "incomplete"),
    ],
    annotators: [
      {
        annotator: "ann1",
        n_votes: 4,
        n_unusable: 0,
        agreement: 0.75,
        n_compared: 4,
        n_ties: 0,
        confusion: confusion([[0, 0, 2], [1, 1, 1], [0, 4, 1]]),
        alpha_without: { value: 0.38, reason: null },
      },
      {
        annotator: "ann2",
        n_votes: 4,
        n_unusable: 2,
        agreement: 0.25,
        n_compared: 4,
        n_ties: 1,
        confusion: confusion([[0, 3, 1], [1, 0, 1], [2, 2, 1]]),
        alpha_without: { value: 0.5, reason: null },
      },
      {
        annotator: "ann3",
        n_votes: 1,
        n_unusable: 0,
        agreement: null,
        n_compared: 0,
        n_ties: 0,
        confusion: confusion([]),
        alpha_without: { value: null, reason: "fewer than two votes on any clip" },
      },
    ],
    ...overrides,
  };
}

function open(path: string) {
  window.history.pushState(null, "", path);
  render(<App />);
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("the clip figures", () => {
  it("stacks a clip's votes in schema order, unusable last, empty classes left out", () => {
    const parts = voteStack(clip(9, { surprise: 4, happy: 4, fear: 1 }, 1, "ambiguous"), CLASSES);
    expect(parts.map((part) => [part.name, part.count, part.start, part.share, part.colour])).toEqual([
      ["happy", 4, 0, 0.4, classColour(0)],
      ["surprise", 4, 0.4, 0.4, classColour(4)],
      ["fear", 1, 0.8, 0.1, classColour(6)],
      ["unusable", 1, 0.9, 0.1, UNUSABLE_COLOUR],
    ]);
    expect(voteStack(clip(9, {}, 0, "incomplete"), CLASSES)).toEqual([]);
  });

  it("flags an annotator whose removal raises alpha, never when either alpha is undefined", () => {
    const [ann1, ann2, ann3] = clipAgreementFixture().annotators;
    const alpha = { value: 0.412, reason: null };
    expect([ann1, ann2, ann3].map((row) => raisesAlpha(row!, alpha))).toEqual([false, true, false]);
    expect(raisesAlpha(ann2!, { value: null, reason: "no variation" })).toBe(false);
  });
});

describe("the dashboard of a clip project", () => {
  it("shows alpha and kappa (undefined with its reason, never 1), the counts, the bars, the ambiguous clips and the annotators", async () => {
    const { requests } = mockApi({
      "GET /api/v1/auth/session/": () => json(200, curator),
      "GET /api/v1/projects/dfew/": () => json(200, clipProject("curator")),
      "GET /api/v1/projects/dfew/clip-agreement/": () => json(200, clipAgreementFixture()),
    });
    open("/projects/dfew/curate");
    await screen.findByTestId("clip-stats");
    expect(requests.some((request) => new URL(request.url).pathname === "/api/v1/projects/dfew/agreement/")).toBe(false);

    expect(screen.getByTestId("clip-alpha").textContent).toBe("0.412");
    const kappa = screen.getByTestId("clip-kappa");
    expect(kappa.getAttribute("data-undefined")).toBe("true");
    expect(kappa.textContent).toBe("undefinedno clip has all its votes from the same raters");
    expect(kappa.textContent).not.toContain("1.000");
    expect(
      ["clip-count", "clip-vote-count", "clip-single-count", "clip-ambiguous-count", "clip-incomplete-count", "clip-unusable-count"].map(
        (id) => screen.getByTestId(id).textContent,
      ),
    ).toEqual(["4", "37", "2", "1", "1", "3 (0)"]);

    const bars = screen.getAllByTestId("single-class-bar");
    expect(bars.map((bar) => [bar.getAttribute("data-class"), bar.getAttribute("data-count")])).toEqual(
      CLASSES.map((name) => [name, name === "happy" || name === "sad" ? "1" : "0"]),
    );
    expect(bars[0]!.querySelector("rect")?.getAttribute("fill")).toBe(classColour(0));

    const ambiguous = screen.getAllByTestId("ambiguous-clip");
    expect(ambiguous.map((row) => row.getAttribute("data-video"))).toEqual(["203"]);
    expect(within(ambiguous[0]!).getByRole("link").getAttribute("href")).toBe("/projects/dfew/videos/203");
    expect(within(ambiguous[0]!).getByRole("img").getAttribute("aria-label")).toBe("Votes: happy 4, surprise 4, fear 1, unusable 1");
    expect(within(ambiguous[0]!).getAllByTestId("stack-part").map((part) => part.getAttribute("fill"))).toEqual([
      classColour(0),
      classColour(4),
      classColour(6),
      UNUSABLE_COLOUR,
    ]);
    expect(screen.getAllByTestId("legend-entry").map((entry) => entry.getAttribute("data-class"))).toEqual([...CLASSES, "unusable"]);

    const rows = screen.getAllByTestId("clip-annotator-row");
    expect(rows.map((row) => [row.getAttribute("data-annotator"), row.getAttribute("data-raises-alpha")])).toEqual([
      ["ann1", "false"],
      ["ann2", "true"],
      ["ann3", "false"],
    ]);
    expect(within(rows[1]!).getAllByRole("cell").map((cell) => cell.textContent)).toEqual(["4", "2", "25.0% of 4", "1", "0.500α rises without them", "Matrix"]);
    expect(within(rows[2]!).getByTestId("clip-alpha-without").textContent).toBe("undefined");

    // The first annotator's matrix by default; another's on request.
    expect(screen.getByTestId("confusion").getAttribute("data-annotator")).toBe("ann1");
    const cell = (row: string, column: string) =>
      screen.getAllByTestId("confusion-cell").find((c) => c.getAttribute("data-row") === row && c.getAttribute("data-column") === column)?.textContent;
    expect(screen.getAllByTestId("confusion-cell")).toHaveLength(49);
    expect([cell("happy", "happy"), cell("sad", "sad"), cell("happy", "surprise"), cell("happy", "angry")]).toEqual(["2", "1", "1", "0"]);
    fireEvent.click(screen.getByRole("button", { name: "Show the confusion matrix of ann2" }));
    expect(screen.getByTestId("confusion").getAttribute("data-annotator")).toBe("ann2");
    expect([cell("happy", "angry"), cell("happy", "happy"), cell("neutral", "neutral")]).toEqual(["1", "0", "1"]);
  });

  it("shows the empty states before any vote", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, curator),
      "GET /api/v1/projects/dfew/": () => json(200, clipProject("owner")),
      "GET /api/v1/projects/dfew/clip-agreement/": () =>
        json(
          200,
          clipAgreementFixture({
            n_votes: 0,
            n_unusable: 0,
            clips: [],
            annotators: [],
            alpha: { value: null, reason: "no pairable votes" },
            kappa: { value: null, reason: "no clip has every vote", n_clips: 0, n_raters: 0 },
            single_labelled: { count: 0, by_class: {} },
          }),
        ),
    });
    open("/projects/dfew/curate");
    await screen.findByTestId("clip-stats");
    expect(screen.getByTestId("clip-alpha").textContent).toBe("undefinedno pairable votes");
    expect(screen.getAllByTestId("plot-empty").map((element) => element.textContent)).toEqual([
      "No clip is single-labelled yet.",
      "No submitted votes yet: the figures appear once clips are voted on.",
    ]);
    expect(screen.getByTestId("ambiguous-empty")).toBeTruthy();
    expect(screen.queryByTestId("clip-annotator-table")).toBeNull();
  });

  it("gives an annotator of the project no statistics", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, { ...curator, username: "annotator" }),
      "GET /api/v1/projects/dfew/": () => json(200, clipProject("annotator")),
      "GET /api/v1/projects/dfew/clip-agreement/": () => apiError(404, "not_found", "No such project."),
    });
    open("/projects/dfew/curate");
    expect((await screen.findByTestId("not-found")).textContent).toContain("not one of its owners or curators");
    expect(screen.queryByTestId("clip-stats")).toBeNull();
  });
});
