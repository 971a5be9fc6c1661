import { vi } from "vitest";
import type { Video } from "../api/endpoints";

/** A video as the API lists it: ready, 29.97 fps, 300 frames, unless told otherwise. */
export function videoFixture(overrides: Partial<Record<keyof Video, unknown>> = {}): Video {
  const video = {
    id: 7,
    project: "alpha",
    subject: "s07",
    source: "interview",
    original_name: "interview-07.mp4",
    status: "ready",
    error: "",
    job: null,
    sha256: "ab".repeat(32),
    size_bytes: 5 * 1024 * 1024,
    container: "mov,mp4,m4a,3gp,3g2,mj2",
    codec: "h264",
    width: 640,
    height: 360,
    rotation: 0,
    fps_num: 30000,
    fps_den: 1001,
    time_base_num: 1,
    time_base_den: 30000,
    n_frames: 300,
    duration_s: 10.01,
    vfr: false,
    has_audio: true,
    audio_codec: "aac",
    proxy_width: 640,
    proxy_height: 360,
    sprite: {
      columns: 3,
      rows: 2,
      tile_width: 160,
      tile_height: 90,
      width: 480,
      height: 180,
      frames: [25, 75, 125, 175, 225, 275],
    },
    created_at: "2026-01-03T00:00:00Z",
    ...overrides,
  };
  return video as Video;
}

export function jobFixture(id: string, state: string, progress: number, message = "", error = "") {
  return {
    id,
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
  };
}

/**
 * A scriptable XMLHttpRequest: the test sees each request (method, URL, headers, body) and
 * decides when it progresses and how it is answered.
 */
export class FakeXhr extends EventTarget {
  static instances: FakeXhr[] = [];

  readonly upload = new EventTarget();
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: unknown = null;
  status = 0;
  responseText = "";
  withCredentials = false;
  aborted = false;

  constructor() {
    super();
    FakeXhr.instances.push(this);
  }

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }

  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }

  send(body: unknown) {
    this.body = body;
  }

  abort() {
    this.aborted = true;
    this.dispatchEvent(new Event("abort"));
  }

  /** The browser has sent `loaded` of `total` bytes. */
  progress(loaded: number, total: number) {
    this.upload.dispatchEvent(new ProgressEvent("progress", { lengthComputable: true, loaded, total }));
  }

  respond(status: number, body: unknown) {
    this.status = status;
    this.responseText = typeof body === "string" ? body : JSON.stringify(body);
    this.dispatchEvent(new Event("load"));
  }

  fail() {
    this.dispatchEvent(new Event("error"));
  }

  static install(): typeof FakeXhr {
    FakeXhr.instances = [];
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    return FakeXhr;
  }

  static last(): FakeXhr {
    const xhr = FakeXhr.instances.at(-1);
    if (!xhr) throw new Error("no XMLHttpRequest was made");
    return xhr;
  }
}
