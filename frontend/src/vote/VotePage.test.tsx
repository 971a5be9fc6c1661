import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { ApiError } from "../api/errors";
import { apiError, json, mockApi } from "../test/api";
import { captionToSend, deliverVote, keyAction, planSession, stepIntensity } from "./session";

const annotator = { id: 3, username: "annotator", email: "", is_staff: false };
const DFEW = ["happy", "sad", "neutral", "angry", "surprise", "disgust", "fear"];

const clipProject = {
  id: 5,
  name: "DFEW clips",
  slug: "dfew",
  description: "",
  task_kind: "clip_classification",
  passes_per_item: 10,
  label_schema: {},
  role: "annotator",
  created_at: "2026-01-01T00:00:00Z",
};

function pass(id: number, status: "open" | "submitted", extra: Record<string, unknown> = {}) {
  return {
    id,
    project: "dfew",
    video: 100 + id,
    video_name: `clip-${id}.mp4`,
    n_frames: 30,
    pass_index: 1,
    annotator: "annotator",
    status,
    mode: "blind",
    revision: 0,
    segment_count: 0,
    time_spent_s: 0,
    submitted_at: status === "submitted" ? "2026-01-02T00:00:00Z" : null,
    task_kind: "clip_classification",
    vote_label: status === "submitted" ? "sad" : null,
    ...extra,
  };
}

const PASSES = [
  pass(23, "open"),
  pass(21, "open"),
  pass(20, "submitted"),
  pass(22, "open"),
  pass(30, "open", { project: "alpha", task_kind: "spotting" }),
  pass(31, "open", { project: "other", video: 999 }),
];

type Handler = (request: Request) => Response | Promise<Response>;

/** Each vote answers with the next revision, as the server does. */
function accept(): Handler {
  return async (request) => {
    const body = (await request.clone().json()) as { revision: number };
    return json(200, { revision: body.revision + 1, status: "submitted" });
  };
}

function mockVoteApi(routes: Record<string, Handler> = {}, passes: unknown[] = PASSES) {
  return mockApi({
    "GET /api/v1/auth/session/": () => json(200, annotator),
    "GET /api/v1/projects/dfew/": () => json(200, clipProject),
    "GET /api/v1/me/assignments/": () => json(200, passes),
    "PUT /api/v1/assignments/21/vote/": accept(),
    "PUT /api/v1/assignments/22/vote/": accept(),
    "PUT /api/v1/assignments/23/vote/": accept(),
    ...routes,
  });
}

async function openSession() {
  window.history.pushState(null, "", "/projects/dfew/vote");
  render(<App />);
  await screen.findByTestId("vote-page");
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

function key(name: string, extra: Record<string, unknown> = {}) {
  fireEvent.keyDown(window, { key: name, ...extra });
}

function shownClip(): string | null {
  return screen.getByTestId("vote-video").getAttribute("src");
}

async function voteBodies(requests: Request[]) {
  const puts = requests.filter((request) => request.method === "PUT");
  return Promise.all(puts.map(async (request) => ({ path: new URL(request.url).pathname, body: (await request.clone().json()) as unknown })));
}

beforeEach(() => {
  vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(() => undefined);
  vi.spyOn(HTMLMediaElement.prototype, "play").mockImplementation(() => Promise.resolve());
});

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe("the voting session's rules", () => {
  it("holds the open clip passes of the project, oldest first, and counts the submitted ones", () => {
    const plan = planSession(PASSES as never, "dfew");
    expect(plan.open.map((p) => p.id)).toEqual([21, 22, 23]);
    expect(plan.total).toBe(4);
    expect(plan.submitted).toBe(1);
    expect(planSession(PASSES as never, "alpha").open).toEqual([]);
  });

  it("maps keys to actions, as many number keys as classes", () => {
    expect(keyAction("1", 7)).toEqual({ kind: "vote", classIndex: 0 });
    expect(keyAction("7", 7)).toEqual({ kind: "vote", classIndex: 6 });
    expect(keyAction("8", 7)).toBeNull();
    expect(keyAction("4", 3)).toBeNull();
    expect(keyAction("9", 12)).toEqual({ kind: "vote", classIndex: 8 });
    expect(["0", "u"].map((k) => keyAction(k, 7))).toEqual([{ kind: "unusable" }, { kind: "unusable" }]);
    expect([" ", "r"].map((k) => keyAction(k, 7))).toEqual([{ kind: "replay" }, { kind: "replay" }]);
    expect(keyAction("[", 7)).toEqual({ kind: "intensity", delta: -1 });
    expect(keyAction("]", 7)).toEqual({ kind: "intensity", delta: 1 });
    expect(keyAction("c", 7)).toEqual({ kind: "caption" });
    expect(["Backspace", "z"].map((k) => keyAction(k, 7))).toEqual([{ kind: "back" }, { kind: "back" }]);
    expect(keyAction("x", 7)).toBeNull();
  });

  it("steps the intensity between none and 5", () => {
    expect(stepIntensity(null, 1)).toBe(1);
    expect(stepIntensity(null, -1)).toBeNull();
    expect(stepIntensity(1, -1)).toBeNull();
    expect(stepIntensity(4, 1)).toBe(5);
    expect(stepIntensity(5, 1)).toBe(5);
  });

  it("sends a trimmed caption, and none when both sentences are empty", () => {
    expect(captionToSend({ emotion: " Joy. ", actions: "" })).toEqual({ emotion: "Joy.", actions: "" });
    expect(captionToSend({ emotion: "  ", actions: "" })).toBeNull();
  });

  it("casts again on a fresh revision after a 409 on an open pass, and reports a pass voted elsewhere", async () => {
    const vote = { label: "sad", intensity: null, caption: null };
    const conflict = () => Promise.reject(new ApiError(409, { code: "stale_revision", detail: "Stale.", fields: {} }));
    const cast = vi.fn().mockImplementationOnce(conflict).mockResolvedValueOnce({ revision: 5 });
    const open = vi.fn().mockResolvedValue({ status: "open", revision: 4 });
    expect(await deliverVote(21, 1, vote, { cast, fetchPass: open })).toEqual({ outcome: "saved", revision: 5 });
    expect(cast.mock.calls.map((call) => (call[1] as { revision: number }).revision)).toEqual([1, 4]);

    const elsewhere = { label: "happy", intensity: 2, caption: null };
    const submitted = vi.fn().mockResolvedValue({ status: "submitted", revision: 3, vote: elsewhere });
    const refused = vi.fn().mockImplementation(conflict);
    expect(await deliverVote(21, 1, vote, { cast: refused, fetchPass: submitted })).toEqual({ outcome: "already-voted", vote: elsewhere, revision: 3 });
    expect(refused).toHaveBeenCalledTimes(1);
  });
});

describe("the voting page", () => {
  it("shows the first open clip looping, muted, with the classes and their keys, and the progress", async () => {
    mockVoteApi();
    await openSession();
    const video = screen.getByTestId("vote-video") as HTMLVideoElement;
    expect(shownClip()).toBe("/api/v1/videos/121/proxy/");
    expect(video.muted).toBe(true);
    expect(video.loop).toBe(true);
    expect(video.autoplay).toBe(true);
    expect(screen.getByTestId("vote-progress").textContent).toBe("1 of 4 voted");
    expect(screen.getByTestId("vote-position").textContent).toBe("Clip 1 of 3");
    const buttons = screen.getAllByTestId("vote-class");
    expect(buttons.map((button) => button.getAttribute("data-label"))).toEqual(DFEW);
    expect(buttons.map((button) => button.getAttribute("aria-label"))).toEqual(DFEW.map((name, index) => `Vote ${name} (key ${index + 1})`));
    expect(screen.getByTestId("vote-unusable").getAttribute("aria-label")).toBe("Vote unusable: no usable face (key 0 or u)");
    expect(screen.getByTestId("vote-intensity").textContent).toBe("—");
    // Nothing about the clip's other votes, nor its name.
    expect(screen.getByTestId("vote-page").textContent).not.toContain("clip-21");
  });

  it("votes with the keyboard, one clip after the other, with intensity and caption, then says it is done", async () => {
    const { requests } = mockVoteApi();
    await openSession();

    key("]");
    key("]");
    key("]");
    key("[");
    expect(screen.getByTestId("vote-intensity").textContent).toBe("2 / 5");
    key("3");
    // Optimistic: the next clip is on screen at once, the intensity is back to none.
    expect(shownClip()).toBe("/api/v1/videos/122/proxy/");
    expect(screen.getByTestId("vote-intensity").textContent).toBe("—");
    expect(screen.getByTestId("vote-progress").textContent).toBe("2 of 4 voted");

    key("u");
    expect(shownClip()).toBe("/api/v1/videos/123/proxy/");

    key("c");
    const emotion = screen.getByTestId("vote-caption-emotion");
    await waitFor(() => expect(document.activeElement).toBe(emotion));
    // Keys typed in the caption are text: no vote, no replay, no step back.
    fireEvent.keyDown(emotion, { key: "5" });
    fireEvent.keyDown(emotion, { key: "z" });
    fireEvent.change(emotion, { target: { value: "Quiet joy at 5 o'clock." } });
    const actions = screen.getByTestId("vote-caption-actions");
    fireEvent.change(actions, { target: { value: "AU6 and AU12." } });
    fireEvent.keyDown(actions, { key: "Enter" });
    expect(screen.queryByTestId("vote-caption-emotion")).toBeNull();
    expect(screen.getByTestId("vote-caption-kept").textContent).toBe("Caption kept: Quiet joy at 5 o'clock. / AU6 and AU12.");
    expect(shownClip()).toBe("/api/v1/videos/123/proxy/");
    key("1");

    const empty = await screen.findByTestId("vote-empty");
    expect(within(empty).getByRole("heading").textContent).toBe("No clips left to vote on in this project");
    expect(screen.getByTestId("vote-queue-link").getAttribute("href")).toBe("/queue");
    await waitFor(() => expect(screen.queryByTestId("vote-saving")).toBeNull());
    expect(screen.getByTestId("vote-progress").textContent).toBe("4 of 4 voted");
    expect(screen.getByTestId("vote-progress-bar").getAttribute("aria-valuenow")).toBe("4");

    expect(await voteBodies(requests)).toEqual([
      { path: "/api/v1/assignments/21/vote/", body: { revision: 0, label: "neutral", intensity: 2, caption: null, submit: true } },
      { path: "/api/v1/assignments/22/vote/", body: { revision: 0, label: "unusable", intensity: null, caption: null, submit: true } },
      {
        path: "/api/v1/assignments/23/vote/",
        body: { revision: 0, label: "happy", intensity: null, caption: { emotion: "Quiet joy at 5 o'clock.", actions: "AU6 and AU12." }, submit: true },
      },
    ]);
  });

  it("votes by clicking a class, and ignores a held key", async () => {
    const { requests } = mockVoteApi();
    await openSession();
    fireEvent.click(screen.getByRole("button", { name: "Vote fear (key 7)" }));
    expect(shownClip()).toBe("/api/v1/videos/122/proxy/");
    key("2", { repeat: true });
    expect(shownClip()).toBe("/api/v1/videos/122/proxy/");
    await waitFor(async () => expect(await voteBodies(requests)).toHaveLength(1));
    expect((await voteBodies(requests))[0]?.body).toMatchObject({ label: "fear" });
  });

  it("goes back to show the vote, locked, and forward again", async () => {
    const { requests } = mockVoteApi();
    await openSession();
    key("]");
    key("2");
    key("Backspace");
    expect(shownClip()).toBe("/api/v1/videos/121/proxy/");
    const locked = await screen.findByTestId("vote-locked");
    await waitFor(() => expect(locked.textContent).toBe("Your vote: sad · intensity 1 · locked"));
    expect(screen.getByRole("button", { name: "Vote sad (key 2)" }).getAttribute("aria-pressed")).toBe("true");
    expect((screen.getByRole("button", { name: "Vote happy (key 1)" }) as HTMLButtonElement).disabled).toBe(true);
    key("5");
    key("z");
    expect(shownClip()).toBe("/api/v1/videos/121/proxy/");
    expect(screen.getByTestId("vote-notice").textContent).toContain("locked");
    key("ArrowRight");
    expect(shownClip()).toBe("/api/v1/videos/122/proxy/");
    expect(screen.queryByTestId("vote-locked")).toBeNull();
    expect(await voteBodies(requests)).toHaveLength(1);
  });

  it("keeps a vote that failed to save, says so, and saves it on retry", async () => {
    let failing = true;
    const { requests } = mockVoteApi({
      "PUT /api/v1/assignments/21/vote/": async (request) =>
        failing ? apiError(503, "unavailable", "The server is busy.") : accept()(request),
    });
    await openSession();
    key("4");
    expect(shownClip()).toBe("/api/v1/videos/122/proxy/");
    const error = await screen.findByTestId("vote-error");
    expect(error.textContent).toContain("1 vote is not saved: clip 1 (angry). The server is busy.");
    expect(screen.getByTestId("vote-progress").textContent).toBe("1 of 4 voted");

    failing = false;
    fireEvent.click(screen.getByTestId("vote-retry"));
    await waitFor(() => expect(screen.queryByTestId("vote-error")).toBeNull());
    expect(screen.getByTestId("vote-progress").textContent).toBe("2 of 4 voted");
    const bodies = await voteBodies(requests);
    expect(bodies.map((entry) => entry.body)).toEqual([
      { revision: 0, label: "angry", intensity: null, caption: null, submit: true },
      { revision: 0, label: "angry", intensity: null, caption: null, submit: true },
    ]);
  });

  it("lets a failed vote be cast again from the clip, then returns to the next one", async () => {
    const { requests } = mockVoteApi({
      "PUT /api/v1/assignments/21/vote/": async (request) => {
        const body = (await request.clone().json()) as { label: string };
        return body.label === "surprise"
          ? apiError(400, "invalid", "label: 'surprise' is not a class.", { label: ["Not a class."] })
          : accept()(request);
      },
    });
    await openSession();
    key("5");
    await screen.findByTestId("vote-error");
    key("z");
    await waitFor(() => expect(screen.getByTestId("vote-locked").textContent).toContain("Not saved: surprise"));
    key("6");
    expect(shownClip()).toBe("/api/v1/videos/122/proxy/");
    await waitFor(() => expect(screen.queryByTestId("vote-error")).toBeNull());
    expect((await voteBodies(requests)).map((entry) => (entry.body as { label: string }).label)).toEqual(["surprise", "disgust"]);
  });

  it("reports a clip voted elsewhere in the meantime, whose vote stands", async () => {
    mockVoteApi({
      "PUT /api/v1/assignments/21/vote/": () => apiError(409, "not_open", "This pass is submitted."),
      "GET /api/v1/assignments/21/": () =>
        json(200, { ...pass(21, "submitted"), segments: [], label_schema: {}, revision: 1, vote: { label: "sad", intensity: null, caption: null } }),
    });
    await openSession();
    key("1");
    expect((await screen.findByTestId("vote-notice")).textContent).toBe("Clip 1 had already been voted elsewhere (sad); that vote stands.");
    expect(screen.queryByTestId("vote-error")).toBeNull();
  });

  it("says there is nothing to vote on when every clip pass is submitted", async () => {
    mockVoteApi({}, [pass(20, "submitted")]);
    await openSession();
    expect((await screen.findByTestId("vote-empty")).textContent).toContain("No clips left to vote on in this project");
    expect(screen.getByTestId("vote-progress").textContent).toBe("1 of 1 voted");
    expect(screen.queryByTestId("vote-video")).toBeNull();
  });

  it("shows not found for a project the caller cannot see", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, annotator),
      "GET /api/v1/projects/dfew/": () => apiError(404, "not_found", "No project 'dfew'."),
      "GET /api/v1/me/assignments/": () => json(200, []),
    });
    window.history.pushState(null, "", "/projects/dfew/vote");
    render(<App />);
    expect((await screen.findByTestId("not-found")).textContent).toContain("No such project, or you are not a member.");
  });

  it("replays the clip from its start with r", async () => {
    mockVoteApi();
    await openSession();
    const video = screen.getByTestId("vote-video") as HTMLVideoElement;
    const play = vi.mocked(HTMLMediaElement.prototype.play);
    play.mockClear();
    video.currentTime = 0.7;
    key("r");
    expect(video.currentTime).toBe(0);
    expect(play).toHaveBeenCalledTimes(1);
    key(" ");
    expect(play).toHaveBeenCalledTimes(2);
  });
});
