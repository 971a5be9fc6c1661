import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { Autosave, draftKey, draftOutcome, errorsByClientId, readDraft, type SaveStatus } from "./autosave";
import type { Segment } from "./editor";

function seg(client_id: string, onset: number, offset: number): Segment {
  return { client_id, onset, offset, apex: null, type: "macro", emotion: "", aus: [], note: "" };
}

class MemoryStore {
  items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

interface Pending {
  revision: number;
  segments: Segment[];
  resolve: (value: { revision: number }) => void;
  reject: (error: unknown) => void;
}

function setup(revision = 3) {
  const calls: Pending[] = [];
  const states: SaveStatus[] = [];
  const storage = new MemoryStore();
  const send = vi.fn(
    (rev: number, segments: Segment[]) =>
      new Promise<{ revision: number }>((resolve, reject) => calls.push({ revision: rev, segments, resolve, reject })),
  );
  const saver = new Autosave({
    assignmentId: 7,
    revision,
    send,
    storage,
    onStatus: (status) => states.push(status),
    timers: { set: (cb, ms) => setTimeout(cb, ms), clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>) },
    debounceMs: 400,
    backoffMs: [1000, 2000],
    writer: "me",
  });
  return { calls, states, storage, send, saver };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("Autosave", () => {
  it("debounces edits and sends the whole list with the acknowledged revision", async () => {
    const { calls, saver, storage } = setup();
    saver.edit([seg("a", 1, 1)]);
    saver.edit([seg("a", 1, 5)]);
    expect(saver.current.state).toBe("unsaved");
    expect(readDraft(storage, 7)?.segments).toEqual([seg("a", 1, 5)]);
    await vi.advanceTimersByTimeAsync(399);
    expect(calls).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ revision: 3, segments: [seg("a", 1, 5)] });
    expect(saver.current.state).toBe("saving");
    calls[0]?.resolve({ revision: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.current).toMatchObject({ state: "saved", revision: 4 });
    expect(storage.getItem(draftKey(7))).toBeNull();
  });

  it("keeps one request in flight and sends later edits after the response", async () => {
    const { calls, saver } = setup();
    saver.edit([seg("a", 1, 1)]);
    await vi.advanceTimersByTimeAsync(400);
    saver.edit([seg("a", 1, 2)]);
    saver.edit([seg("a", 1, 3)]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(1);
    expect(saver.current.state).toBe("saving");
    calls[0]?.resolve({ revision: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toMatchObject({ revision: 4, segments: [seg("a", 1, 3)] });
    calls[1]?.resolve({ revision: 5 });
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.current).toMatchObject({ state: "saved", revision: 5 });
  });

  it("retries with backoff when offline or on a 5xx, keeping the edits", async () => {
    const { calls, saver, storage } = setup();
    saver.edit([seg("a", 1, 1)]);
    await vi.advanceTimersByTimeAsync(400);
    calls[0]?.reject(new ApiError(0, { code: "network_error", detail: "offline", fields: {} }));
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.current.state).toBe("offline");
    expect(readDraft(storage, 7)?.segments).toEqual([seg("a", 1, 1)]);
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(2);
    calls[1]?.reject(new ApiError(503, { code: "http_error", detail: "down", fields: {} }));
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(2);
    // An edit while offline waits for the retry, which carries it.
    saver.edit([seg("a", 1, 9)]);
    expect(saver.current.state).toBe("offline");
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toHaveLength(3);
    expect(calls[2]?.segments).toEqual([seg("a", 1, 9)]);
    calls[2]?.resolve({ revision: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.current.state).toBe("saved");
  });

  it("keeps the draft through a 500 until the server acknowledges the latest edits", async () => {
    const { calls, saver, storage } = setup();
    saver.edit([seg("a", 1, 1)]);
    await vi.advanceTimersByTimeAsync(400);
    calls[0]?.reject(new ApiError(500, { code: "http_error", detail: "The server failed (HTTP 500).", fields: {} }));
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.current).toMatchObject({ state: "offline", revision: 3 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(calls).toHaveLength(2);
    // An edit made while the retry is in flight: the retry's acknowledgement does not cover it.
    saver.edit([seg("a", 1, 1), seg("b", 8, 9)]);
    calls[1]?.resolve({ revision: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(readDraft(storage, 7)).toMatchObject({ baseRevision: 4, segments: [seg("a", 1, 1), seg("b", 8, 9)] });
    expect(calls).toHaveLength(3);
    expect(calls[2]).toMatchObject({ revision: 4, segments: [seg("a", 1, 1), seg("b", 8, 9)] });
    calls[2]?.resolve({ revision: 5 });
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.current).toMatchObject({ state: "saved", revision: 5 });
    expect(storage.getItem(draftKey(7))).toBeNull();
  });

  it("stops on a stale revision until the conflict is resolved by keeping mine", async () => {
    const { calls, saver, storage } = setup();
    saver.edit([seg("b", 2, 2)]);
    await vi.advanceTimersByTimeAsync(400);
    calls[0]?.reject(new ApiError(409, { code: "stale_revision", detail: "changed", fields: {} }));
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.current.state).toBe("conflict");
    saver.edit([seg("b", 2, 3)]);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(1);
    expect(saver.current.state).toBe("conflict");
    expect(readDraft(storage, 7)?.segments).toEqual([seg("b", 2, 3)]);
    saver.keepMine(6);
    await vi.advanceTimersByTimeAsync(0);
    expect(calls[1]).toMatchObject({ revision: 6, segments: [seg("b", 2, 3)] });
    calls[1]?.resolve({ revision: 7 });
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.current).toMatchObject({ state: "saved", revision: 7 });
  });

  it("drops my edits when taking theirs", async () => {
    const { calls, saver, storage } = setup();
    saver.markConflict([seg("b", 2, 2)]);
    expect(saver.current.state).toBe("conflict");
    saver.takeTheirs(9);
    expect(saver.current).toMatchObject({ state: "saved", revision: 9 });
    expect(storage.getItem(draftKey(7))).toBeNull();
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(0);
  });

  it("shows field errors by segment on a 400 and waits for the next edit", async () => {
    const { calls, saver } = setup();
    saver.edit([seg("a", 1, 1), seg("b", 5, 500)]);
    await vi.advanceTimersByTimeAsync(400);
    calls[0]?.reject(
      new ApiError(400, { code: "invalid", detail: "bad", fields: { "segments.1.offset": ["Frame 500 is past the video's last frame (99)."] } }),
    );
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toHaveLength(1);
    expect(saver.current.state).toBe("unsaved");
    expect(saver.current.fieldErrors).toEqual({ b: { offset: ["Frame 500 is past the video's last frame (99)."] } });
    saver.edit([seg("a", 1, 1), seg("b", 5, 50)]);
    expect(saver.current.fieldErrors).toEqual({});
    await vi.advanceTimersByTimeAsync(400);
    expect(calls).toHaveLength(2);
  });

  it("marks a submitted pass as locked", async () => {
    const { calls, saver } = setup();
    saver.edit([seg("a", 1, 1)]);
    await vi.advanceTimersByTimeAsync(400);
    calls[0]?.reject(new ApiError(409, { code: "pass_submitted", detail: "locked", fields: {} }));
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.current).toMatchObject({ state: "unsaved", locked: true });
  });

  it("leaves another tab's draft alone when its own save is acknowledged", async () => {
    const { calls, saver, storage } = setup();
    saver.edit([seg("a", 1, 1)]);
    await vi.advanceTimersByTimeAsync(400);
    storage.setItem(draftKey(7), JSON.stringify({ baseRevision: 3, segments: [seg("z", 1, 1)], writer: "other", savedAt: "" }));
    calls[0]?.resolve({ revision: 4 });
    await vi.advanceTimersByTimeAsync(0);
    expect(readDraft(storage, 7)?.writer).toBe("other");
  });
});

describe("drafts", () => {
  it("decides what to do with a stored draft", () => {
    const server = [seg("a", 1, 2)];
    const draft = (baseRevision: number, segments: Segment[]) => ({ baseRevision, segments, writer: "x", savedAt: "" });
    expect(draftOutcome(null, 3, server)).toBe("none");
    expect(draftOutcome(draft(1, server), 3, server)).toBe("none");
    expect(draftOutcome(draft(3, [seg("a", 1, 5)]), 3, server)).toBe("apply");
    expect(draftOutcome(draft(2, [seg("a", 1, 5)]), 3, server)).toBe("conflict");
  });

  it("reads only well-formed drafts", () => {
    const store = new MemoryStore();
    expect(readDraft(store, 1)).toBeNull();
    store.setItem(draftKey(1), "{not json");
    expect(readDraft(store, 1)).toBeNull();
    store.setItem(draftKey(1), JSON.stringify({ baseRevision: "x" }));
    expect(readDraft(store, 1)).toBeNull();
  });

  it("maps field errors to client ids", () => {
    expect(errorsByClientId({ "segments.0.type": ["bad"], "segments.9.onset": ["x"], revision: ["y"] }, [seg("a", 1, 1)])).toEqual({
      a: { type: ["bad"] },
    });
  });
});

describe("Autosave of an assisted pass", () => {
  it("sends the rejected proposals with the segments, and keeps them in the draft", async () => {
    const { calls, send, saver, storage } = setup();
    saver.edit([seg("a", 1, 5)], [4]);
    expect(readDraft(storage, 7)?.rejected).toEqual([4]);
    await vi.advanceTimersByTimeAsync(400);
    expect(send).toHaveBeenCalledWith(3, [seg("a", 1, 5)], [4]);
    // A rejection alone is a change to send, even with the same segments.
    const segments = [seg("a", 1, 5)];
    calls[0]?.resolve({ revision: 4 });
    await vi.advanceTimersByTimeAsync(0);
    saver.edit(segments, [4, 9]);
    await vi.advanceTimersByTimeAsync(400);
    expect(send).toHaveBeenLastCalledWith(4, segments, [4, 9]);
    calls[1]?.resolve({ revision: 5 });
    await vi.advanceTimersByTimeAsync(0);
    expect(saver.current.state).toBe("saved");
    expect(readDraft(storage, 7)).toBeNull();
  });

  it("sends only the segments in a blind pass", async () => {
    const { send, saver, storage } = setup();
    saver.edit([seg("a", 1, 5)]);
    expect(readDraft(storage, 7)?.rejected).toBeUndefined();
    await vi.advanceTimersByTimeAsync(400);
    expect(send.mock.calls[0]).toEqual([3, [seg("a", 1, 5)]]);
  });

  it("counts rejections and links in a draft's outcome", () => {
    const base = { baseRevision: 3, segments: [seg("a", 1, 5)], writer: "x", savedAt: "" };
    expect(draftOutcome({ ...base, rejected: [2] }, 3, [seg("a", 1, 5)], [2])).toBe("none");
    expect(draftOutcome({ ...base, rejected: [2] }, 3, [seg("a", 1, 5)], [])).toBe("apply");
    expect(draftOutcome({ ...base, rejected: [2] }, 4, [seg("a", 1, 5)], [])).toBe("conflict");
    expect(draftOutcome(base, 3, [seg("a", 1, 5)], [2])).toBe("none");
    expect(draftOutcome({ ...base, segments: [{ ...seg("a", 1, 5), proposal: 6 }] }, 3, [seg("a", 1, 5)])).toBe("apply");
  });
});
