/**
 * Autosave of a pass's segments: after each edit (debounced), the whole list is sent with the
 * last revision the server acknowledged (in assisted passes, with the rejected proposals). One request at a time; edits made meanwhile go in the
 * next one. Unsent edits live in localStorage until the server has them.
 *
 * - network failure or 5xx: retried with backoff, the edits kept ("offline");
 * - 409 `stale_revision`: the pass changed elsewhere; nothing is sent until the caller resolves
 *   the conflict (keep mine: send on top of the server's revision; take theirs: drop mine);
 * - 400: the server's field errors, by segment, until the next edit;
 * - 409 `pass_submitted`: the pass is locked.
 *
 * No React here: timers and storage are injected so that every path can be tested.
 */
import { ApiError } from "../api/errors";
import type { Segment } from "./editor";

export type SaveState = "saved" | "saving" | "unsaved" | "offline" | "conflict";

export interface SaveStatus {
  state: SaveState;
  /** The revision the server acknowledged last. */
  revision: number;
  /** Field errors of the last rejected save, by client id: `{"<client_id>": {"offset": [..]}}`. */
  fieldErrors: Record<string, Record<string, string[]>>;
  /** A message for the user: why the last save failed. */
  message: string | null;
  /** The pass is submitted (locked) on the server. */
  locked: boolean;
}

export interface Draft {
  /** The revision the draft's edits were made on. */
  baseRevision: number;
  segments: Segment[];
  /** The rejected proposals of an assisted pass; absent for a blind one. */
  rejected?: number[];
  /** Which page wrote it: another tab's acknowledgement does not clear this tab's draft. */
  writer: string;
  savedAt: string;
}

export interface DraftStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const browserTimers: Timers = {
  set: (callback, ms) => window.setTimeout(callback, ms),
  clear: (handle) => window.clearTimeout(handle as number),
};

export interface AutosaveOptions {
  assignmentId: number;
  revision: number;
  /** `rejected` only comes when the editor gave one (assisted passes). */
  send: (revision: number, segments: Segment[], rejected?: number[]) => Promise<{ revision: number }>;
  onStatus: (status: SaveStatus) => void;
  storage?: DraftStore | null;
  timers?: Timers;
  debounceMs?: number;
  /** Retry delays after failures, in ms; the last one repeats. */
  backoffMs?: readonly number[];
  writer?: string;
}

export function draftKey(assignmentId: number): string {
  return `spotlab:draft:assignment:${assignmentId}`;
}

/** The draft stored for a pass, or null (none, or unreadable). */
export function readDraft(storage: DraftStore | null | undefined, assignmentId: number): Draft | null {
  if (!storage) return null;
  try {
    const raw = storage.getItem(draftKey(assignmentId));
    if (!raw) return null;
    const draft = JSON.parse(raw) as Draft;
    if (typeof draft.baseRevision !== "number" || !Array.isArray(draft.segments)) return null;
    if (draft.rejected !== undefined && !Array.isArray(draft.rejected)) return null;
    return draft;
  } catch {
    return null;
  }
}

/**
 * What to do with a stored draft when the pass is loaded: nothing (no draft, or it equals the
 * server's segments), re-apply it (it was made on the server's revision), or a conflict.
 */
export function draftOutcome(
  draft: Draft | null,
  serverRevision: number,
  serverSegments: readonly Segment[],
  serverRejected?: readonly number[],
): "none" | "apply" | "conflict" {
  if (!draft) return "none";
  const sameRejected = draft.rejected === undefined || serverRejected === undefined || sameIds(draft.rejected, serverRejected);
  if (sameSegments(draft.segments, serverSegments) && sameRejected) return "none";
  return draft.baseRevision === serverRevision ? "apply" : "conflict";
}

export function sameSegments(a: readonly Segment[], b: readonly Segment[]): boolean {
  const key = (list: readonly Segment[]) =>
    JSON.stringify(
      [...list]
        .map((s) => [s.client_id, s.onset, s.apex ?? null, s.offset, s.type, s.emotion ?? "", [...(s.aus ?? [])].sort(), s.note ?? "", s.proposal ?? null])
        .sort((x, y) => (String(x[0]) < String(y[0]) ? -1 : 1)),
    );
  return key(a) === key(b);
}

export function sameIds(a: readonly number[], b: readonly number[]): boolean {
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  return x.length === y.length && x.every((id, index) => id === y[index]);
}

const DEFAULT_BACKOFF = [1000, 2000, 4000, 8000, 15000, 30000];

export class Autosave {
  private readonly options: AutosaveOptions;
  private readonly timers: Timers;
  private readonly writer: string;
  private status: SaveStatus;
  /** The latest segments of the editor. */
  private latest: Segment[] | null = null;
  /** The latest rejected proposals, when the editor gives them (assisted passes). */
  private latestRejected: number[] | undefined = undefined;
  /** `latest` differs from what the server acknowledged. */
  private dirty = false;
  private inFlight = false;
  private timer: unknown = null;
  private failures = 0;
  private disposed = false;

  constructor(options: AutosaveOptions) {
    this.options = options;
    this.timers = options.timers ?? browserTimers;
    this.writer = options.writer ?? Math.random().toString(36).slice(2);
    this.status = { state: "saved", revision: options.revision, fieldErrors: {}, message: null, locked: false };
  }

  get current(): SaveStatus {
    return this.status;
  }

  get hasUnsent(): boolean {
    return this.dirty;
  }

  /** The editor's segments (or, in an assisted pass, its rejected proposals) changed. */
  edit(segments: Segment[], rejected?: number[]): void {
    if (this.disposed) return;
    this.latest = segments;
    this.latestRejected = rejected;
    this.dirty = true;
    this.persist();
    if (this.status.state === "conflict" || this.status.locked) return;
    this.update({ state: this.inFlight ? "saving" : this.status.state === "offline" ? "offline" : "unsaved", fieldErrors: {} });
    if (this.status.state !== "offline") this.schedule(this.options.debounceMs ?? 400);
  }

  /** Send now (if anything is unsent and nothing is in flight). */
  flush(): void {
    this.cancelTimer();
    void this.sendNow();
  }

  /** Conflict resolved by keeping mine: send my segments on top of the server's revision. */
  keepMine(serverRevision: number): void {
    this.failures = 0;
    this.update({ state: "unsaved", revision: serverRevision, message: null, fieldErrors: {} });
    this.dirty = this.latest !== null;
    this.persist();
    this.flush();
  }

  /** Conflict resolved by taking theirs: my edits are dropped, the server's revision is the base. */
  takeTheirs(serverRevision: number): void {
    this.failures = 0;
    this.latest = null;
    this.latestRejected = undefined;
    this.dirty = false;
    this.clearDraft();
    this.update({ state: "saved", revision: serverRevision, message: null, fieldErrors: {} });
  }

  /** Enter the conflict state (e.g. a stored draft made on an older revision). */
  markConflict(segments: Segment[], rejected?: number[]): void {
    this.latest = segments;
    this.latestRejected = rejected;
    this.dirty = true;
    this.cancelTimer();
    this.update({ state: "conflict", message: "The pass was changed elsewhere." });
  }

  dispose(): void {
    this.disposed = true;
    this.cancelTimer();
  }

  private schedule(ms: number): void {
    this.cancelTimer();
    this.timer = this.timers.set(() => {
      this.timer = null;
      void this.sendNow();
    }, ms);
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
  }

  private async sendNow(): Promise<void> {
    if (this.disposed || this.inFlight || !this.dirty || this.latest === null) return;
    if (this.status.state === "conflict" || this.status.locked) return;
    const snapshot = this.latest;
    const rejected = this.latestRejected;
    this.inFlight = true;
    this.update({ state: "saving" });
    try {
      const { revision } =
        rejected === undefined
          ? await this.options.send(this.status.revision, snapshot)
          : await this.options.send(this.status.revision, snapshot, rejected);
      if (this.disposed) return;
      this.inFlight = false;
      this.failures = 0;
      const done = this.latest === snapshot && this.latestRejected === rejected;
      if (done) {
        this.dirty = false;
        this.clearDraft();
      } else {
        this.persist(revision);
      }
      this.update({ state: done ? "saved" : "saving", revision, fieldErrors: {}, message: null });
      if (!done) void this.sendNow();
    } catch (error) {
      if (this.disposed) return;
      this.inFlight = false;
      this.failed(error, snapshot, rejected);
    }
  }

  private failed(error: unknown, snapshot: Segment[], rejected: number[] | undefined): void {
    const apiError = error instanceof ApiError ? error : null;
    if (apiError && apiError.status === 409 && apiError.code === "stale_revision") {
      this.update({ state: "conflict", message: apiError.detail });
      return;
    }
    if (apiError && apiError.status === 409 && apiError.code === "pass_submitted") {
      this.update({ state: "unsaved", locked: true, message: apiError.detail });
      return;
    }
    if (apiError && apiError.status >= 400 && apiError.status < 500 && apiError.status !== 408 && apiError.status !== 429) {
      // Rejected: show why, and wait for the next edit.
      this.update({
        state: "unsaved",
        fieldErrors: errorsByClientId(apiError.fields, snapshot),
        message: apiError.detail,
      });
      if (this.latest !== snapshot || this.latestRejected !== rejected) this.schedule(this.options.debounceMs ?? 400);
      return;
    }
    // Offline, a 5xx, a timeout: keep the edits and try again later.
    const backoff = this.options.backoffMs ?? DEFAULT_BACKOFF;
    const delay = backoff[Math.min(this.failures, backoff.length - 1)] ?? 30000;
    this.failures += 1;
    this.update({ state: "offline", message: apiError?.detail ?? "Could not reach the server." });
    this.schedule(delay);
  }

  private persist(revision: number = this.status.revision): void {
    const storage = this.options.storage;
    if (!storage || this.latest === null) return;
    const draft: Draft = {
      baseRevision: revision,
      segments: this.latest,
      ...(this.latestRejected === undefined ? {} : { rejected: this.latestRejected }),
      writer: this.writer,
      savedAt: new Date().toISOString(),
    };
    try {
      storage.setItem(draftKey(this.options.assignmentId), JSON.stringify(draft));
    } catch {
      // A full or disabled storage: the edits are still in memory.
    }
  }

  private clearDraft(): void {
    const storage = this.options.storage;
    if (!storage) return;
    const stored = readDraft(storage, this.options.assignmentId);
    if (stored && stored.writer !== this.writer) return;
    try {
      storage.removeItem(draftKey(this.options.assignmentId));
    } catch {
      // ignore
    }
  }

  private update(change: Partial<SaveStatus>): void {
    this.status = { ...this.status, ...change };
    this.options.onStatus(this.status);
  }
}

/** The server's `segments.<index>.<field>` errors, keyed by the client id of that segment. */
export function errorsByClientId(
  fields: Record<string, string[]>,
  sent: readonly Segment[],
): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  for (const [path, messages] of Object.entries(fields)) {
    const match = /^segments\.(\d+)\.?(.*)$/.exec(path);
    if (!match) continue;
    const segment = sent[Number(match[1])];
    if (!segment) continue;
    const field = match[2] || "segment";
    const entry = (out[segment.client_id] ??= {});
    entry[field] = [...(entry[field] ?? []), ...messages];
  }
  return out;
}
