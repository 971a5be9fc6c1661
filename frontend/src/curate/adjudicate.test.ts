import { describe, expect, it } from "vitest";
import { createDraft, draftReducer, isDirty, isDisputed, selectedDraft, toPayload, unmatchedPassSegments, type DraftAction, type DraftState } from "./adjudicate";
import { consensusFixture, passesFixture } from "./fixtures";

function draft(): DraftState {
  return createDraft(consensusFixture().segments, 300, ["macro", "micro"]);
}

function run(state: DraftState, ...actions: DraftAction[]): DraftState {
  return actions.reduce(draftReducer, state);
}

function edges(state: DraftState): [number, number, string][] {
  return state.segments.map((segment) => [segment.onset, segment.offset, segment.type]);
}

describe("draftReducer", () => {
  it("starts from the version, in timeline order, nothing selected and clean", () => {
    const state = draft();
    expect(edges(state)).toEqual([
      [10, 20, "macro"],
      [40, 51, "macro"],
      [80, 90, "micro"],
    ]);
    expect(state.segments.map((s) => s.key)).toEqual(["c1", "c2", "c3"]);
    expect(state.selectedKey).toBeNull();
    expect(isDirty(state)).toBe(false);
  });

  it("selects the next and previous segment, stopping at the ends", () => {
    let state = run(draft(), { kind: "select-next", direction: 1 });
    expect(state.selectedKey).toBe("c1");
    state = run(state, { kind: "select-next", direction: 1 }, { kind: "select-next", direction: 1 }, { kind: "select-next", direction: 1 });
    expect(state.selectedKey).toBe("c3");
    state = run(state, { kind: "select-next", direction: -1 });
    expect(state.selectedKey).toBe("c2");
    expect(run(draft(), { kind: "select-next", direction: -1 }).selectedKey).toBe("c3");
    expect(isDirty(state)).toBe(false);
  });

  it("accepts a flagged segment: the flag and its reasons are cleared", () => {
    const state = run(draft(), { kind: "select", key: "c2" }, { kind: "accept" });
    const accepted = selectedDraft(state);
    expect(accepted?.needs_curator).toBe(false);
    expect(accepted?.reasons).toEqual([]);
    expect(isDirty(state)).toBe(true);
    // Accepting an unflagged segment changes nothing.
    const unchanged = run(draft(), { kind: "select", key: "c1" });
    expect(run(unchanged, { kind: "accept" })).toBe(unchanged);
  });

  it("rejects the selected segment and selects the one after it", () => {
    const state = run(draft(), { kind: "select", key: "c2" }, { kind: "reject" });
    expect(state.segments.map((s) => s.key)).toEqual(["c1", "c3"]);
    expect(state.selectedKey).toBe("c3");
    const last = run(state, { kind: "reject" });
    expect(last.segments.map((s) => s.key)).toEqual(["c1"]);
    expect(last.selectedKey).toBe("c1");
    expect(run(last, { kind: "reject" }).selectedKey).toBeNull();
  });

  it("sets onset and offset at a frame, swapping when they would cross, clamped to the video", () => {
    let state = run(draft(), { kind: "select", key: "c1" }, { kind: "set-onset", frame: 13 });
    expect(edges(state)[0]).toEqual([13, 20, "macro"]);
    state = run(state, { kind: "set-offset", frame: 17 });
    expect(edges(state)[0]).toEqual([13, 17, "macro"]);
    state = run(state, { kind: "set-onset", frame: 25 });
    expect(edges(state)[0]).toEqual([17, 25, "macro"]);
    state = run(state, { kind: "set-offset", frame: 5 });
    expect(edges(state)[0]).toEqual([5, 17, "macro"]);
    state = run(draft(), { kind: "select", key: "c3" }, { kind: "set-offset", frame: 1000 });
    expect(edges(state)[2]).toEqual([80, 299, "micro"]);
    // Nothing selected: nothing happens.
    expect(run(draft(), { kind: "set-onset", frame: 3 }).version).toBe(0);
  });

  it("keeps the order when an onset moves past the next segment", () => {
    const state = run(draft(), { kind: "select", key: "c1" }, { kind: "set-offset", frame: 100 }, { kind: "set-onset", frame: 60 });
    expect(state.segments.map((s) => [s.key, s.onset, s.offset])).toEqual([
      ["c2", 40, 51],
      ["c1", 60, 100],
      ["c3", 80, 90],
    ]);
  });

  it("adds a segment at a frame, or as a copy of a pass segment with it as the member", () => {
    let state = run(draft(), { kind: "add", key: "n1", frame: 150, nPasses: 3 });
    expect(selectedDraft(state)).toMatchObject({ key: "n1", onset: 150, offset: 150, type: "macro", member_segment_ids: [], support: 0, n_passes: 3 });
    const lonely = passesFixture()[2]!.segments[2]!;
    state = run(state, { kind: "add", key: "n2", frame: 0, from: lonely, nPasses: 3 });
    expect(selectedDraft(state)).toMatchObject({ key: "n2", onset: 200, offset: 210, type: "macro", member_segment_ids: [34], support: 1 });
    expect(state.segments.map((s) => s.key)).toEqual(["c1", "c2", "c3", "n1", "n2"]);
  });

  it("cycles the type through the schema's types", () => {
    let state = run(draft(), { kind: "select", key: "c1" }, { kind: "cycle-type" });
    expect(selectedDraft(state)?.type).toBe("micro");
    state = run(state, { kind: "cycle-type" });
    expect(selectedDraft(state)?.type).toBe("macro");
  });

  it("undoes step by step back to the loaded version", () => {
    const state = run(draft(), { kind: "select", key: "c1" }, { kind: "reject" }, { kind: "set-onset", frame: 45 });
    const once = run(state, { kind: "undo" });
    expect(edges(once)).toEqual([
      [40, 51, "macro"],
      [80, 90, "micro"],
    ]);
    const twice = run(once, { kind: "undo" });
    expect(edges(twice)).toEqual(edges(draft()));
    expect(isDirty(twice)).toBe(false);
  });

  it("loads a new version over the draft", () => {
    const state = run(draft(), { kind: "select", key: "c1" }, { kind: "reject" }, { kind: "load", segments: consensusFixture().segments.slice(0, 1) });
    expect(state.segments.map((s) => s.key)).toEqual(["c1"]);
    expect(isDirty(state)).toBe(false);
    expect(state.selectedKey).toBeNull();
  });
});

describe("disagreements", () => {
  it("a consensus segment is disputed when flagged or not marked by every pass", () => {
    expect(draft().segments.map(isDisputed)).toEqual([false, true, true]);
  });

  it("lists the pass segments that no consensus segment holds", () => {
    const consensus = draft().segments;
    expect([...unmatchedPassSegments(passesFixture(), consensus)].sort((a, b) => a - b)).toEqual([34]);
    const rejected = run(draft(), { kind: "select", key: "c3" }, { kind: "reject" }).segments;
    expect([...unmatchedPassSegments(passesFixture(), rejected)].sort((a, b) => a - b)).toEqual([13, 33, 34]);
  });
});

describe("toPayload", () => {
  it("sends the segments in timeline order with their members, nothing else", () => {
    const state = run(draft(), { kind: "select", key: "c2" }, { kind: "accept" }, { kind: "add", key: "n1", frame: 5, nPasses: 3 });
    expect(toPayload(state.segments)).toEqual([
      { onset: 5, apex: null, offset: 5, type: "macro", emotion: "", aus: [], member_segment_ids: [] },
      { onset: 10, apex: null, offset: 20, type: "macro", emotion: "", aus: [], member_segment_ids: [11, 21, 31] },
      { onset: 40, apex: null, offset: 51, type: "macro", emotion: "", aus: [], member_segment_ids: [12, 22] },
      { onset: 80, apex: null, offset: 90, type: "micro", emotion: "", aus: [], member_segment_ids: [13, 33] },
    ]);
  });
});
