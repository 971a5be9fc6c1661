/**
 * The segment editor of a pass, as a pure reducer: segments, the selection, and undo/redo.
 *
 * Frames are integers on the video's timeline, intervals inclusive, `onset <= apex <= offset`
 * always holds after any operation. New client ids come in the action (the caller draws them
 * with `crypto.randomUUID()`), so that the reducer stays pure and testable.
 */

export interface Segment {
  client_id: string;
  onset: number;
  apex: number | null;
  offset: number;
  type: string;
  emotion: string;
  aus: string[];
  note: string;
}

interface Snapshot {
  segments: Segment[];
  selectedId: string | null;
}

export interface EditorState {
  segments: Segment[];
  selectedId: string | null;
  past: Snapshot[];
  future: Snapshot[];
  /** Grows with every change of the segments (edits, undo, redo, replace). */
  version: number;
  /** Frames of the video: every frame is clamped to `0 .. nFrames - 1`. */
  nFrames: number;
  /** The type a new segment gets. */
  defaultType: string;
}

export const HISTORY_LIMIT = 500;

export type EditorAction =
  | { kind: "set-onset"; frame: number; newId: string }
  | { kind: "set-offset"; frame: number }
  | { kind: "set-apex"; frame: number | null }
  | { kind: "set-edges"; clientId: string; onset: number; offset: number }
  | { kind: "select"; clientId: string | null }
  | { kind: "select-next"; direction: 1 | -1 }
  | { kind: "delete" }
  | { kind: "set-type"; type: string }
  | { kind: "set-emotion"; emotion: string }
  | { kind: "set-aus"; aus: string[] }
  | { kind: "set-note"; note: string }
  | { kind: "undo" }
  | { kind: "redo" }
  /** Replace everything (a load from the server); `record` keeps it undoable. */
  | { kind: "replace"; segments: Segment[]; record?: boolean };

export function createEditor(segments: Segment[], nFrames: number, defaultType: string): EditorState {
  return {
    segments: segments.map(normalise),
    selectedId: null,
    past: [],
    future: [],
    version: 0,
    nFrames,
    defaultType,
  };
}

function normalise(segment: Segment): Segment {
  return {
    client_id: segment.client_id,
    onset: segment.onset,
    apex: segment.apex ?? null,
    offset: segment.offset,
    type: segment.type ?? "",
    emotion: segment.emotion ?? "",
    aus: [...(segment.aus ?? [])],
    note: segment.note ?? "",
  };
}

/** The segments in timeline order: by onset, then offset, then client id. */
export function sortedSegments(segments: readonly Segment[]): Segment[] {
  return [...segments].sort(
    (a, b) => a.onset - b.onset || a.offset - b.offset || (a.client_id < b.client_id ? -1 : a.client_id > b.client_id ? 1 : 0),
  );
}

export function selectedSegment(state: EditorState): Segment | null {
  return state.segments.find((segment) => segment.client_id === state.selectedId) ?? null;
}

function clamp(frame: number, nFrames: number): number {
  const last = Math.max(0, nFrames - 1);
  if (!Number.isFinite(frame)) return 0;
  return Math.min(Math.max(Math.round(frame), 0), last);
}

function clampApex(segment: Segment): Segment {
  if (segment.apex === null) return segment;
  const apex = Math.min(Math.max(segment.apex, segment.onset), segment.offset);
  return apex === segment.apex ? segment : { ...segment, apex };
}

/** Record the state before a change, and apply the change. */
function commit(state: EditorState, segments: Segment[], selectedId: string | null = state.selectedId): EditorState {
  const past = [...state.past, { segments: state.segments, selectedId: state.selectedId }];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { ...state, segments, selectedId, past, future: [], version: state.version + 1 };
}

function updateSelected(state: EditorState, change: (segment: Segment) => Segment): EditorState {
  const current = selectedSegment(state);
  if (!current) return state;
  const next = clampApex(change(current));
  if (sameSegment(next, current)) return state;
  return commit(
    state,
    state.segments.map((segment) => (segment.client_id === current.client_id ? next : segment)),
  );
}

function sameSegment(a: Segment, b: Segment): boolean {
  return (
    a.onset === b.onset &&
    a.apex === b.apex &&
    a.offset === b.offset &&
    a.type === b.type &&
    a.emotion === b.emotion &&
    a.note === b.note &&
    a.aus.length === b.aus.length &&
    a.aus.every((unit, index) => unit === b.aus[index])
  );
}

export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.kind) {
    case "set-onset": {
      const frame = clamp(action.frame, state.nFrames);
      if (selectedSegment(state) === null) {
        const segment: Segment = {
          client_id: action.newId,
          onset: frame,
          apex: null,
          offset: frame,
          type: state.defaultType,
          emotion: "",
          aus: [],
          note: "",
        };
        return commit(state, [...state.segments, segment], segment.client_id);
      }
      // An onset after the offset: the old offset becomes the onset and the frame the offset.
      return updateSelected(state, (segment) =>
        frame > segment.offset ? { ...segment, onset: segment.offset, offset: frame } : { ...segment, onset: frame },
      );
    }
    case "set-offset": {
      const frame = clamp(action.frame, state.nFrames);
      // An offset before the onset: the frame becomes the onset and the old onset the offset.
      return updateSelected(state, (segment) =>
        frame < segment.onset ? { ...segment, onset: frame, offset: segment.onset } : { ...segment, offset: frame },
      );
    }
    case "set-apex": {
      if (action.frame === null) return updateSelected(state, (segment) => ({ ...segment, apex: null }));
      const frame = clamp(action.frame, state.nFrames);
      // Outside the interval, the apex stops at its nearest edge.
      return updateSelected(state, (segment) => ({ ...segment, apex: frame }));
    }
    case "set-edges": {
      const target = state.segments.find((segment) => segment.client_id === action.clientId);
      if (!target) return state;
      const a = clamp(action.onset, state.nFrames);
      const b = clamp(action.offset, state.nFrames);
      const next = clampApex({ ...target, onset: Math.min(a, b), offset: Math.max(a, b) });
      if (sameSegment(next, target)) return state.selectedId === target.client_id ? state : { ...state, selectedId: target.client_id };
      return commit(
        state,
        state.segments.map((segment) => (segment.client_id === target.client_id ? next : segment)),
        target.client_id,
      );
    }
    case "select": {
      const exists = action.clientId === null || state.segments.some((segment) => segment.client_id === action.clientId);
      return exists ? { ...state, selectedId: action.clientId } : state;
    }
    case "select-next": {
      const ordered = sortedSegments(state.segments);
      if (ordered.length === 0) return state;
      const index = ordered.findIndex((segment) => segment.client_id === state.selectedId);
      let next: number;
      if (index === -1) next = action.direction === 1 ? 0 : ordered.length - 1;
      else next = (index + action.direction + ordered.length) % ordered.length;
      return { ...state, selectedId: ordered[next]?.client_id ?? null };
    }
    case "delete": {
      const current = selectedSegment(state);
      if (!current) return state;
      return commit(
        state,
        state.segments.filter((segment) => segment.client_id !== current.client_id),
        null,
      );
    }
    case "set-type":
      return updateSelected(state, (segment) => ({ ...segment, type: action.type }));
    case "set-emotion":
      return updateSelected(state, (segment) => ({ ...segment, emotion: action.emotion }));
    case "set-aus":
      return updateSelected(state, (segment) => ({ ...segment, aus: [...action.aus] }));
    case "set-note":
      return updateSelected(state, (segment) => ({ ...segment, note: action.note }));
    case "undo": {
      const previous = state.past[state.past.length - 1];
      if (!previous) return state;
      return {
        ...state,
        segments: previous.segments,
        selectedId: previous.selectedId,
        past: state.past.slice(0, -1),
        future: [{ segments: state.segments, selectedId: state.selectedId }, ...state.future],
        version: state.version + 1,
      };
    }
    case "redo": {
      const next = state.future[0];
      if (!next) return state;
      return {
        ...state,
        segments: next.segments,
        selectedId: next.selectedId,
        past: [...state.past, { segments: state.segments, selectedId: state.selectedId }],
        future: state.future.slice(1),
        version: state.version + 1,
      };
    }
    case "replace": {
      const segments = action.segments.map(normalise);
      const selectedId = segments.some((segment) => segment.client_id === state.selectedId) ? state.selectedId : null;
      if (action.record) return commit(state, segments, selectedId);
      return { ...state, segments, selectedId, past: [], future: [], version: state.version + 1 };
    }
  }
}

/** A problem that the submit step lists; `blocking` ones prevent submitting. */
export interface Problem {
  clientId: string | null;
  message: string;
  blocking: boolean;
}

/**
 * What to check before submitting: segments without a type, or without an emotion where the
 * schema has emotions (blocking), and overlapping segments of the same type (a warning).
 * A single-frame segment is valid.
 */
export function findProblems(segments: readonly Segment[], options: { types: string[]; hasEmotions: boolean }): Problem[] {
  const problems: Problem[] = [];
  const ordered = sortedSegments(segments);
  ordered.forEach((segment, index) => {
    const name = `Segment ${index + 1} (${segment.onset}–${segment.offset})`;
    if (!segment.type || !options.types.includes(segment.type)) {
      problems.push({ clientId: segment.client_id, message: `${name} has no expression type.`, blocking: true });
    }
    if (options.hasEmotions && !segment.emotion) {
      problems.push({ clientId: segment.client_id, message: `${name} has no emotion.`, blocking: true });
    }
  });
  for (let i = 0; i < ordered.length; i += 1) {
    const a = ordered[i];
    if (!a) continue;
    for (let j = i + 1; j < ordered.length; j += 1) {
      const b = ordered[j];
      if (!b || b.onset > a.offset) break;
      if (a.type === b.type) {
        problems.push({
          clientId: b.client_id,
          message: `Segments ${i + 1} and ${j + 1} overlap (both ${a.type}).`,
          blocking: false,
        });
      }
    }
  }
  return problems;
}
