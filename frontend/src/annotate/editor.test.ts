import { describe, expect, it } from "vitest";
import {
  HISTORY_LIMIT,
  createEditor,
  editorReducer,
  findProblems,
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
