import { describe, expect, it } from "vitest";
import {
  HISTORY_LIMIT,
  createEditor,
  currentProposal,
  editorReducer,
  findProblems,
  neighbourProposal,
  pendingProposals,
  provenanceOf,
  selectedSegment,
  sortedSegments,
  type EditorAction,
  type EditorState,
  type Segment,
} from "./editor";

function seg(client_id: string, onset: number, offset: number, extra: Partial<Segment> = {}): Segment {
  return { client_id, onset, offset, apex: null, type: "macro", emotion: "", aus: [], note: "", ...extra };
}

function run(state: EditorState, ...actions: EditorAction[]): EditorState {
  return actions.reduce(editorReducer, state);
}

const empty = () => createEditor([], 100, "macro");

describe("creating and marking", () => {
  it("starts a one-frame segment at the playhead when nothing is selected", () => {
    const state = run(empty(), { kind: "set-onset", frame: 30, newId: "a" });
    expect(state.segments).toEqual([seg("a", 30, 30)]);
    expect(state.selectedId).toBe("a");
    expect(state.version).toBe(1);
  });

  it("moves onset and offset of the selected segment", () => {
    const state = run(
      empty(),
      { kind: "set-onset", frame: 30, newId: "a" },
      { kind: "set-offset", frame: 45 },
      { kind: "set-onset", frame: 32, newId: "unused" },
    );
    expect(state.segments).toEqual([seg("a", 32, 45)]);
  });

  it("swaps when an onset goes past the offset or an offset before the onset", () => {
    let state = run(empty(), { kind: "set-onset", frame: 30, newId: "a" }, { kind: "set-offset", frame: 40 });
    state = run(state, { kind: "set-onset", frame: 50, newId: "x" });
    expect(selectedSegment(state)).toMatchObject({ onset: 40, offset: 50 });
    state = run(state, { kind: "set-offset", frame: 10 });
    expect(selectedSegment(state)).toMatchObject({ onset: 10, offset: 40 });
  });

  it("clamps frames to the video", () => {
    const state = run(empty(), { kind: "set-onset", frame: -5, newId: "a" }, { kind: "set-offset", frame: 1000 });
    expect(selectedSegment(state)).toMatchObject({ onset: 0, offset: 99 });
  });

  it("keeps the apex inside the interval", () => {
    let state = run(
      empty(),
      { kind: "set-onset", frame: 30, newId: "a" },
      { kind: "set-offset", frame: 40 },
      { kind: "set-apex", frame: 35 },
    );
    expect(selectedSegment(state)?.apex).toBe(35);
    state = run(state, { kind: "set-apex", frame: 60 });
    expect(selectedSegment(state)?.apex).toBe(40);
    state = run(state, { kind: "set-offset", frame: 33 });
    expect(selectedSegment(state)).toMatchObject({ onset: 30, apex: 33, offset: 33 });
    state = run(state, { kind: "set-onset", frame: 20, newId: "x" }, { kind: "set-apex", frame: 5 });
    expect(selectedSegment(state)?.apex).toBe(20);
    state = run(state, { kind: "set-apex", frame: null });
    expect(selectedSegment(state)?.apex).toBeNull();
  });

  it("ignores offset and apex without a selection, and no-op edits", () => {
    const state = empty();
    expect(run(state, { kind: "set-offset", frame: 3 })).toBe(state);
    expect(run(state, { kind: "set-apex", frame: 3 })).toBe(state);
    const one = run(state, { kind: "set-onset", frame: 3, newId: "a" });
    expect(run(one, { kind: "set-onset", frame: 3, newId: "b" })).toBe(one);
  });

  it("sets both edges at once (a drag), ordering them", () => {
    const start = createEditor([seg("a", 10, 20, { apex: 15 })], 100, "macro");
    let state = run(start, { kind: "set-edges", clientId: "a", onset: 10, offset: 12 });
    expect(state.segments[0]).toMatchObject({ onset: 10, apex: 12, offset: 12 });
    expect(state.selectedId).toBe("a");
    state = run(state, { kind: "set-edges", clientId: "a", onset: 25, offset: 8 });
    expect(state.segments[0]).toMatchObject({ onset: 8, offset: 25 });
    expect(run(state, { kind: "set-edges", clientId: "zzz", onset: 1, offset: 2 })).toBe(state);
  });
});

describe("labels", () => {
  it("sets type, emotion, action units and note on the selected segment", () => {
    const state = run(
      createEditor([seg("a", 1, 2)], 100, "macro"),
      { kind: "select", clientId: "a" },
      { kind: "set-type", type: "micro" },
      { kind: "set-emotion", emotion: "happy" },
      { kind: "set-aus", aus: ["AU6", "AU12B"] },
      { kind: "set-note", note: "blink nearby" },
    );
    expect(state.segments[0]).toEqual(seg("a", 1, 2, { type: "micro", emotion: "happy", aus: ["AU6", "AU12B"], note: "blink nearby" }));
    expect(state.past).toHaveLength(4);
  });
});

describe("selection", () => {
  const three = () => createEditor([seg("c", 50, 60), seg("a", 10, 20), seg("b", 30, 40)], 100, "macro");

  it("moves through the segments in timeline order, wrapping", () => {
    let state = run(three(), { kind: "select-next", direction: 1 });
    expect(state.selectedId).toBe("a");
    state = run(state, { kind: "select-next", direction: 1 }, { kind: "select-next", direction: 1 });
    expect(state.selectedId).toBe("c");
    state = run(state, { kind: "select-next", direction: 1 });
    expect(state.selectedId).toBe("a");
    state = run(state, { kind: "select-next", direction: -1 });
    expect(state.selectedId).toBe("c");
    expect(run(three(), { kind: "select-next", direction: -1 }).selectedId).toBe("c");
    expect(run(empty(), { kind: "select-next", direction: 1 }).selectedId).toBeNull();
  });

  it("selects only existing segments and does not record selection in history", () => {
    const state = run(three(), { kind: "select", clientId: "b" }, { kind: "select", clientId: "nope" });
    expect(state.selectedId).toBe("b");
    expect(state.past).toHaveLength(0);
    expect(run(state, { kind: "select", clientId: null }).selectedId).toBeNull();
  });

  it("sorts by onset, then offset, then id", () => {
    expect(sortedSegments([seg("b", 5, 9), seg("a", 5, 9), seg("c", 5, 6), seg("d", 1, 2)]).map((s) => s.client_id)).toEqual([
      "d",
      "c",
      "a",
      "b",
    ]);
  });
});

describe("delete, undo and redo", () => {
  it("deletes the selected segment and undoes it with its selection", () => {
    let state = run(createEditor([seg("a", 1, 2), seg("b", 5, 6)], 100, "macro"), { kind: "select", clientId: "b" }, { kind: "delete" });
    expect(state.segments.map((s) => s.client_id)).toEqual(["a"]);
    expect(state.selectedId).toBeNull();
    state = run(state, { kind: "undo" });
    expect(state.segments.map((s) => s.client_id)).toEqual(["a", "b"]);
    expect(state.selectedId).toBe("b");
    state = run(state, { kind: "redo" });
    expect(state.segments.map((s) => s.client_id)).toEqual(["a"]);
  });

  it("undoes and redoes a sequence of edits exactly, and a new edit clears redo", () => {
    const states = [empty()];
    const actions: EditorAction[] = [
      { kind: "set-onset", frame: 30, newId: "a" },
      { kind: "set-offset", frame: 45 },
      { kind: "set-type", type: "micro" },
      { kind: "set-apex", frame: 40 },
    ];
    for (const action of actions) states.push(editorReducer(states[states.length - 1] as EditorState, action));
    let state = states[states.length - 1] as EditorState;
    for (let i = states.length - 2; i >= 0; i -= 1) {
      state = run(state, { kind: "undo" });
      expect(state.segments).toEqual((states[i] as EditorState).segments);
    }
    expect(run(state, { kind: "undo" })).toBe(state);
    for (let i = 1; i < states.length; i += 1) {
      state = run(state, { kind: "redo" });
      expect(state.segments).toEqual((states[i] as EditorState).segments);
    }
    expect(run(state, { kind: "redo" })).toBe(state);
    state = run(state, { kind: "undo" }, { kind: "undo" }, { kind: "set-note", note: "x" });
    expect(state.future).toHaveLength(0);
  });

  it("keeps a bounded history", () => {
    let state = run(empty(), { kind: "set-onset", frame: 0, newId: "a" });
    for (let i = 1; i <= HISTORY_LIMIT + 20; i += 1) state = run(state, { kind: "set-offset", frame: (i % 90) + 1 });
    expect(state.past.length).toBe(HISTORY_LIMIT);
  });

  it("replaces everything, recorded or not", () => {
    const start = run(createEditor([seg("a", 1, 2)], 100, "macro"), { kind: "select", clientId: "a" }, { kind: "set-note", note: "n" });
    const fresh = run(start, { kind: "replace", segments: [seg("b", 3, 4)] });
    expect(fresh.past).toHaveLength(0);
    expect(fresh.selectedId).toBeNull();
    const recorded = run(start, { kind: "replace", segments: [seg("a", 3, 4)], record: true });
    expect(recorded.selectedId).toBe("a");
    expect(run(recorded, { kind: "undo" }).segments[0]?.note).toBe("n");
  });
});

describe("problems before submitting", () => {
  const options = { types: ["macro", "micro"], hasEmotions: true };

  it("lists missing labels as blocking and same-type overlaps as warnings", () => {
    const problems = findProblems(
      [seg("a", 10, 20, { emotion: "happy" }), seg("b", 15, 25, { emotion: "" }), seg("c", 18, 18, { type: "micro", emotion: "sad" }), seg("d", 30, 30, { type: "", emotion: "sad" })],
      options,
    );
    expect(problems).toEqual([
      { clientId: "b", message: "Segment 2 (15–25) has no emotion.", blocking: true },
      { clientId: "d", message: "Segment 4 (30–30) has no expression type.", blocking: true },
      { clientId: "b", message: "Segments 1 and 2 overlap (both macro).", blocking: false },
    ]);
  });

  it("accepts single-frame segments and no emotions where the schema has none", () => {
    expect(findProblems([seg("a", 5, 5)], { types: ["macro"], hasEmotions: false })).toEqual([]);
  });
});

describe("proposals of an assisted pass", () => {
  const p1 = { id: 1, onset: 20, offset: 35, type: "macro" };
  const p2 = { id: 2, onset: 60, offset: 66, type: "micro" };
  const p3 = { id: 3, onset: 100, offset: 120, type: "macro" };

  it("accepts a proposal as a linked, selected segment with its frames and type, and undoes it", () => {
    const start = run(empty(), { kind: "set-onset", frame: 5, newId: "m" }, { kind: "select", clientId: null });
    const state = run(start, { kind: "accept-proposal", proposal: p2, newId: "a" });
    expect(selectedSegment(state)).toEqual({ ...seg("a", 60, 66, { type: "micro" }), proposal: 2 });
    expect(state.version).toBe(start.version + 1);
    const undone = run(state, { kind: "undo" });
    expect(undone.segments.map((s) => s.client_id)).toEqual(["m"]);
    expect(undone.selectedId).toBeNull();
    const redone = run(undone, { kind: "redo" });
    expect(redone.segments.find((s) => s.proposal === 2)).toMatchObject({ onset: 60, offset: 66, type: "micro" });
    expect(redone.selectedId).toBe("a");
  });

  it("accepts a proposal once: a second accept selects its segment", () => {
    const once = run(empty(), { kind: "accept-proposal", proposal: p1, newId: "a" }, { kind: "select", clientId: null });
    const twice = run(once, { kind: "accept-proposal", proposal: p1, newId: "b" });
    expect(twice.segments).toHaveLength(1);
    expect(twice.selectedId).toBe("a");
    expect(twice.past).toHaveLength(once.past.length);
  });

  it("clamps an accepted proposal to the video", () => {
    const state = run(createEditor([], 50, "macro"), { kind: "accept-proposal", proposal: { id: 9, onset: 40, offset: 80, type: "micro" }, newId: "a" });
    expect(selectedSegment(state)).toMatchObject({ onset: 40, offset: 49, proposal: 9 });
  });

  it("rejects a proposal (undoable, a change to save), once, and never a linked one", () => {
    const start = createEditor([], 200, "macro", [7]);
    expect(start.rejected).toEqual([7]);
    const state = run(start, { kind: "reject-proposal", id: 3 });
    expect(state.rejected).toEqual([7, 3]);
    expect(state.segments).toEqual([]);
    expect(state.version).toBe(1);
    expect(run(state, { kind: "reject-proposal", id: 3 })).toBe(state);
    const undone = run(state, { kind: "undo" });
    expect(undone.rejected).toEqual([7]);
    expect(undone.version).toBe(2);
    expect(run(undone, { kind: "redo" }).rejected).toEqual([7, 3]);
    const accepted = run(start, { kind: "accept-proposal", proposal: p1, newId: "a" });
    expect(run(accepted, { kind: "reject-proposal", id: 1 })).toBe(accepted);
  });

  it("takes a rejection back when the proposal is accepted after all", () => {
    const state = run(empty(), { kind: "reject-proposal", id: 1 }, { kind: "accept-proposal", proposal: p1, newId: "a" });
    expect(state.rejected).toEqual([]);
    expect(run(state, { kind: "undo" }).rejected).toEqual([1]);
  });

  it("keeps the link through trims, and frees the proposal when its segment is deleted", () => {
    let state = run(empty(), { kind: "accept-proposal", proposal: p2, newId: "a" }, { kind: "set-offset", frame: 64 });
    expect(selectedSegment(state)).toMatchObject({ onset: 60, offset: 64, proposal: 2 });
    state = run(state, { kind: "set-edges", clientId: "a", onset: 61, offset: 64 });
    expect(selectedSegment(state)?.proposal).toBe(2);
    expect(pendingProposals([p1, p2, p3], state.segments, state.rejected).map((p) => p.id)).toEqual([1, 3]);
    state = run(state, { kind: "delete" });
    expect(pendingProposals([p1, p2, p3], state.segments, state.rejected).map((p) => p.id)).toEqual([1, 2, 3]);
  });

  it("replaces the rejections with a load from the server, when given", () => {
    const state = run(createEditor([], 100, "macro", [1]), { kind: "replace", segments: [], record: true, rejected: [2] });
    expect(state.rejected).toEqual([2]);
    expect(run(state, { kind: "undo" }).rejected).toEqual([1]);
    expect(run(state, { kind: "replace", segments: [] }).rejected).toEqual([2]);
  });

  it("lists the pending proposals by onset, without linked or rejected ones", () => {
    const linked = [{ ...seg("a", 60, 64), proposal: 2 }];
    expect(pendingProposals([p3, p2, p1], linked, [3]).map((p) => p.id)).toEqual([1]);
    expect(pendingProposals([p3, p2, p1], [], []).map((p) => p.id)).toEqual([1, 2, 3]);
  });

  it("finds the current proposal: the chosen one under the playhead, else the first under it", () => {
    const overlapping = { id: 4, onset: 30, offset: 70, type: "macro" };
    const pending = pendingProposals([p1, p2, overlapping], [], []);
    expect(currentProposal(pending, 10, null)).toBeNull();
    expect(currentProposal(pending, 20, null)?.id).toBe(1);
    expect(currentProposal(pending, 35, null)?.id).toBe(1);
    expect(currentProposal(pending, 62, null)?.id).toBe(4);
    expect(currentProposal(pending, 62, 2)?.id).toBe(2);
    expect(currentProposal(pending, 80, 2)).toBeNull();
    expect(currentProposal(pending, null, 2)?.id).toBe(2);
    expect(currentProposal(pending, null, 99)).toBeNull();
  });

  it("goes to the next or previous proposal, wrapping around", () => {
    const pending = [p1, p2, p3];
    expect(neighbourProposal(pending, null, 0, 1)?.id).toBe(1);
    expect(neighbourProposal(pending, null, 40, 1)?.id).toBe(2);
    expect(neighbourProposal(pending, null, 130, 1)?.id).toBe(1);
    expect(neighbourProposal(pending, p1, 20, 1)?.id).toBe(2);
    expect(neighbourProposal(pending, p3, 100, 1)?.id).toBe(1);
    expect(neighbourProposal(pending, p1, 20, -1)?.id).toBe(3);
    expect(neighbourProposal(pending, null, 80, -1)?.id).toBe(2);
    expect(neighbourProposal(pending, null, 5, -1)?.id).toBe(3);
    expect(neighbourProposal([], null, 5, 1)).toBeNull();
  });

  it("derives the provenance as the server does", () => {
    const byId = new Map([p1, p2].map((p) => [p.id, p]));
    expect(provenanceOf(seg("m", 20, 35), byId)).toBe("manual");
    expect(provenanceOf({ ...seg("a", 20, 35), proposal: 1 }, byId)).toBe("accepted");
    expect(provenanceOf({ ...seg("a", 20, 34), proposal: 1 }, byId)).toBe("edited");
    expect(provenanceOf({ ...seg("a", 20, 35, { type: "micro" }), proposal: 1 }, byId)).toBe("edited");
    expect(provenanceOf({ ...seg("a", 1, 2), proposal: 8 }, byId, "edited")).toBe("edited");
    expect(provenanceOf({ ...seg("a", 1, 2), proposal: 8 }, byId)).toBe("accepted");
  });
});
