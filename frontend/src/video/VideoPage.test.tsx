import { act, cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { apiError, json, mockApi } from "../test/api";
import { jobFixture, videoFixture } from "../test/videos";
import { seekTimeForFrame } from "./frames";
import { PRESENTATION_GRACE_MS } from "./useFrameClock";

const NTSC = { num: 30000, den: 1001 };
const owner = { id: 1, username: "olga", is_staff: false };
const alpha = {
  id: 1,
  name: "Alpha",
  slug: "alpha",
  description: "",
  task_kind: "spotting",
  passes_per_item: 5,
  label_schema: {},
  role: "annotator",
  created_at: "2026-01-01T00:00:00Z",
};

/** What the browser reports as frame i's mediaTime at 29.97 fps: i / fps to the microsecond. */
function mediaTime(i: number): number {
  return Math.round(((i * 1001) / 30000) * 1e6) / 1e6;
}

type FrameCallback = (now: number, metadata: VideoFrameCallbackMetadata) => void;

/**
 * A browser's playback as far as the player sees it: play and pause, and frames presented
 * when the test says so (jsdom decodes nothing).
 */
class Playback {
  paused = true;
  callbacks = new Map<number, FrameCallback>();
  next = 1;

  install({ frameCallbacks = true } = {}) {
    vi.spyOn(HTMLMediaElement.prototype, "paused", "get").mockImplementation(() => this.paused);
    vi.spyOn(HTMLMediaElement.prototype, "seeking", "get").mockReturnValue(false);
    const playback = this;
    vi.spyOn(HTMLMediaElement.prototype, "play").mockImplementation(function (this: HTMLMediaElement) {
      playback.paused = false;
      this.dispatchEvent(new Event("play"));
      return Promise.resolve();
    });
    vi.spyOn(HTMLMediaElement.prototype, "pause").mockImplementation(function (this: HTMLMediaElement) {
      playback.paused = true;
      this.dispatchEvent(new Event("pause"));
    });
    if (frameCallbacks) {
      Object.defineProperty(HTMLVideoElement.prototype, "requestVideoFrameCallback", {
        configurable: true,
        value: (callback: FrameCallback) => {
          const handle = playback.next++;
          playback.callbacks.set(handle, callback);
          return handle;
        },
      });
      Object.defineProperty(HTMLVideoElement.prototype, "cancelVideoFrameCallback", {
        configurable: true,
        value: (handle: number) => playback.callbacks.delete(handle),
      });
    }
  }

  uninstall() {
    delete (HTMLVideoElement.prototype as Partial<HTMLVideoElement>).requestVideoFrameCallback;
    delete (HTMLVideoElement.prototype as Partial<HTMLVideoElement>).cancelVideoFrameCallback;
  }

  /** The browser presents the frame whose presentation time is `time`. */
  present(time: number) {
    const pending = [...this.callbacks.values()];
    this.callbacks.clear();
    act(() => {
      for (const callback of pending) {
        callback(performance.now(), {
          mediaTime: time,
          presentationTime: 0,
          expectedDisplayTime: 0,
          width: 640,
          height: 360,
          presentedFrames: 1,
        });
      }
    });
  }
}

function mockVideoApi(video = videoFixture(), project = alpha) {
  return mockApi({
    "GET /api/v1/auth/session/": () => json(200, owner),
    "GET /api/v1/projects/alpha/": () => json(200, project),
    [`GET /api/v1/videos/${video.id}/`]: () => json(200, video),
  });
}

async function openPlayer(path = "/projects/alpha/videos/7"): Promise<HTMLVideoElement> {
  window.history.replaceState(null, "", path);
  render(<App />);
  const player = (await screen.findByTestId("video-player")) as HTMLVideoElement;
  // Let the player's effects run (they register the frame callback and seek listeners) before
  // the test presents frames: findBy resolves on the DOM change, which may come first.
  await act(async () => {});
  fireEvent.loadedMetadata(player);
  await act(async () => {});
  return player;
}

const frameNumber = () => screen.getByTestId("frame-number").textContent;

describe("the video page", () => {
  const playback = new Playback();

  beforeEach(() => {
    playback.paused = true;
    playback.callbacks.clear();
  });

  afterEach(() => {
    cleanup();
    playback.uninstall();
  });

  it("reads the frame from the presented frame's mediaTime and steps with the keyboard", async () => {
    playback.install();
    mockVideoApi();
    const player = await openPlayer();

    expect(player.getAttribute("src")).toBe("/api/v1/videos/7/proxy/");
    expect(screen.getByTestId("video-title").textContent).toBe("interview-07.mp4");
    // Nothing presented yet: no number is guessed.
    expect(screen.queryByTestId("frame-number")).toBeNull();
    expect(player.currentTime).toBe(seekTimeForFrame(0, NTSC));

    playback.present(0);
    expect(frameNumber()).toBe("0");
    expect(screen.getByTestId("timecode").textContent).toBe("00:00:00.000");

    // 0.066733 s is frame 2 at 29.97 fps: floor(0.066733 * 29.97…) would say 1.
    playback.present(0.066733);
    expect(frameNumber()).toBe("2");

    playback.present(mediaTime(12));
    expect(frameNumber()).toBe("12");
    expect(screen.getByTestId("timecode").textContent).toBe("00:00:00.400");
    expect(screen.getByTestId("timecode-frames").textContent).toBe("00:00:00:12");

    // Five quick presses: each goes on from the frame asked for, not from the one on screen.
    for (let i = 0; i < 5; i += 1) fireEvent.keyDown(window, { key: "ArrowRight" });
    expect(player.currentTime).toBe(seekTimeForFrame(17, NTSC));
    playback.present(mediaTime(17));
    expect(frameNumber()).toBe("17");

    fireEvent.keyDown(window, { key: "ArrowLeft", shiftKey: true });
    expect(player.currentTime).toBe(seekTimeForFrame(7, NTSC));
    playback.present(mediaTime(7));
    fireEvent.keyDown(window, { key: "ArrowLeft" });
    expect(player.currentTime).toBe(seekTimeForFrame(6, NTSC));
    playback.present(mediaTime(6));

    fireEvent.keyDown(window, { key: "End" });
    expect(player.currentTime).toBe(seekTimeForFrame(299, NTSC));
    playback.present(mediaTime(299));
    expect(frameNumber()).toBe("299");
    expect(screen.getByTestId("timecode").textContent).toBe("00:00:09.976");
    // Never past the last frame.
    fireEvent.keyDown(window, { key: "ArrowRight", shiftKey: true });
    expect(player.currentTime).toBe(seekTimeForFrame(299, NTSC));

    fireEvent.keyDown(window, { key: "Home" });
    expect(player.currentTime).toBe(seekTimeForFrame(0, NTSC));
    fireEvent.keyDown(window, { key: "ArrowLeft" });
    expect(player.currentTime).toBe(seekTimeForFrame(0, NTSC));
  });

  it("plays and pauses with Space, and stepping pauses", async () => {
    playback.install();
    mockVideoApi();
    const player = await openPlayer();
    playback.present(0);

    fireEvent.keyDown(window, { key: " " });
    expect(playback.paused).toBe(false);
    expect(screen.getByTestId("play-pause").textContent).toBe("Pause");
    // A held key repeats: that is not a second press.
    fireEvent.keyDown(window, { key: " ", repeat: true });
    expect(playback.paused).toBe(false);

    playback.present(mediaTime(40));
    expect(frameNumber()).toBe("40");
    fireEvent.keyDown(window, { key: "ArrowRight" });
    expect(playback.paused).toBe(true);
    expect(player.currentTime).toBe(seekTimeForFrame(41, NTSC));
    expect(screen.getByTestId("play-pause").textContent).toBe("Play");

    fireEvent.keyDown(window, { key: " " });
    expect(playback.paused).toBe(false);
    fireEvent.keyDown(window, { key: " " });
    expect(playback.paused).toBe(true);
  });

  it("goes to a frame typed in, and leaves keys typed in a field alone", async () => {
    playback.install();
    mockVideoApi();
    const player = await openPlayer();
    playback.present(0);
    const user = userEvent.setup();

    const input = screen.getByTestId("goto-frame-input");
    await user.type(input, "250");
    // The arrow keys moved the caret, not the video.
    await user.keyboard("{ArrowLeft}{ArrowRight}");
    expect(player.currentTime).toBe(seekTimeForFrame(0, NTSC));
    await user.click(screen.getByTestId("goto-frame-submit"));
    expect(player.currentTime).toBe(seekTimeForFrame(250, NTSC));
    playback.present(mediaTime(250));
    expect(frameNumber()).toBe("250");
    // The focus went back to the player: the arrows step again.
    await user.keyboard("{ArrowRight}");
    expect(player.currentTime).toBe(seekTimeForFrame(251, NTSC));

    await user.clear(input);
    await user.type(input, "300{Enter}");
    expect(screen.getByRole("alert").textContent).toBe("Enter a frame from 0 to 299.");
    expect(player.currentTime).toBe(seekTimeForFrame(251, NTSC));
  });

  it("verifies the current frame against the server's decode", async () => {
    playback.install();
    mockVideoApi();
    await openPlayer();
    playback.present(mediaTime(123));
    const user = userEvent.setup();

    expect(screen.queryByTestId("verify-frame-image")).toBeNull();
    await user.click(screen.getByTestId("verify-frame"));
    const image = screen.getByTestId("verify-frame-image") as HTMLImageElement;
    expect(image.getAttribute("src")).toBe("/api/v1/videos/7/frames/123/?format=png");
    expect(screen.getByText(/loading/)).toBeTruthy();
    fireEvent.load(image);
    expect(screen.getByText(/· PNG/)).toBeTruthy();

    playback.present(mediaTime(124));
    expect(screen.getByText(/the player is now on frame 124/)).toBeTruthy();
  });

  it("jumps to a sprite tile's frame and sets the playback speed", async () => {
    playback.install();
    mockVideoApi();
    const player = await openPlayer();
    playback.present(mediaTime(130));
    const user = userEvent.setup();

    const tiles = screen.getAllByTestId("timeline-tile");
    expect(tiles.map((tile) => tile.dataset.frame)).toEqual(["25", "75", "125", "175", "225", "275"]);
    // The tile of the frame on screen is marked; the fourth tile sits at column 0, row 1.
    expect(tiles[2]!.className).toContain("timeline-tile-active");
    expect(tiles[3]!.style.backgroundImage).toBe('url("/api/v1/videos/7/sprite/")');
    expect(tiles[3]!.style.backgroundPosition).toBe("0px -48px");
    await user.click(tiles[4]!);
    expect(player.currentTime).toBe(seekTimeForFrame(225, NTSC));

    const speeds = screen.getByTestId("playback-speed") as HTMLSelectElement;
    expect([...speeds.options].map((option) => option.textContent)).toEqual(["0.1×", "0.25×", "0.5×", "1×", "2×", "4×"]);
    await user.selectOptions(speeds, "0.25");
    expect(player.playbackRate).toBe(0.25);
  });

  it("falls back to the time it seeked to when no frame callback comes", async () => {
    playback.install();
    mockVideoApi();
    const player = await openPlayer();
    playback.present(mediaTime(10));

    fireEvent.keyDown(window, { key: "ArrowRight" });
    fireEvent.seeked(player);
    expect(frameNumber()).toBe("10");
    await waitFor(() => expect(frameNumber()).toBe("11"), { timeout: PRESENTATION_GRACE_MS * 4 });
  });

  it("works from the clock in a browser without frame callbacks", async () => {
    playback.install({ frameCallbacks: false });
    mockVideoApi();
    const player = await openPlayer();

    fireEvent.seeked(player);
    expect(frameNumber()).toBe("0");
    fireEvent.keyDown(window, { key: "ArrowRight", shiftKey: true });
    fireEvent.seeked(player);
    expect(frameNumber()).toBe("10");
  });
});

describe("a video that cannot be played", () => {
  it("shows the ingest of a video being processed", async () => {
    const job = "5b0b6a38-0000-4000-8000-00000000000b";
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, owner),
      "GET /api/v1/projects/alpha/": () => json(200, alpha),
      "GET /api/v1/videos/7/": () => json(200, videoFixture({ status: "processing", job })),
      [`GET /api/v1/jobs/${job}/`]: () => json(200, jobFixture(job, "running", 0.5, "Making the browser proxy")),
    });
    window.history.replaceState(null, "", "/projects/alpha/videos/7");
    render(<App />);

    expect(await screen.findByText("Making the browser proxy")).toBeTruthy();
    expect(screen.getByTestId("video-status").dataset.status).toBe("processing");
    expect(screen.queryByTestId("video-player")).toBeNull();
  });

  it("shows why a video failed", async () => {
    mockVideoApi(videoFixture({ status: "failed", error: "The file is truncated: no frames could be decoded." }));
    window.history.replaceState(null, "", "/projects/alpha/videos/7");
    render(<App />);

    expect((await screen.findByTestId("video-error")).textContent).toBe("The file is truncated: no frames could be decoded.");
    expect(screen.queryByTestId("video-player")).toBeNull();
  });

  it("is not found when it is not the project's or not the caller's", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, owner),
      "GET /api/v1/projects/alpha/": () => json(200, alpha),
      "GET /api/v1/videos/7/": () => json(200, videoFixture({ project: "beta" })),
      "GET /api/v1/videos/8/": () => apiError(404, "not_found", "No video 8."),
    });
    window.history.replaceState(null, "", "/projects/alpha/videos/7");
    const { unmount } = render(<App />);
    expect((await screen.findByTestId("not-found")).textContent).toContain("Video not found");
    unmount();

    window.history.replaceState(null, "", "/projects/alpha/videos/8");
    render(<App />);
    expect((await screen.findByTestId("not-found")).textContent).toContain("Video not found");
  });
});
