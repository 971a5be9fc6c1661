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
  /** The model proposal the segment came from (assisted passes); absent or null: drawn by hand. */
  proposal?: number | null;
}

/** A spotting model's proposal, as far as the editor needs it. */
export interface ProposalRef {
  id: number;
  onset: number;
  offset: number;
  type: string;
}

/** Where a segment came from, as the server derives it (and the page, before a save). */
export type Provenance = "manual" | "accepted" | "edited";

interface Snapshot {
  segments: Segment[];
  selectedId: string | null;
  rejected: number[];
}

export interface EditorState {
  segments: Segment[];
  selectedId: string | null;
  /** The proposals rejected in this pass (ids), in the order they were rejected. */
  rejected: number[];
  past: Snapshot[];
  future: Snapshot[];
  /** Grows with every change of the segments or the rejections (edits, undo, redo, replace). */
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
  /** A proposal becomes a segment with its frames and type, linked to it, and selected. */
  | { kind: "accept-proposal"; proposal: ProposalRef; newId: string }
  /** A proposal is rejected: no segment, remembered in `rejected`. */
  | { kind: "reject-proposal"; id: number }
  | { kind: "undo" }
  | { kind: "redo" }
  /** Replace everything (a load from the server); `record` keeps it undoable. */
  | { kind: "replace"; segments: Segment[]; record?: boolean; rejected?: number[] };

export function createEditor(segments: Segment[], nFrames: number, defaultType: string, rejected: readonly number[] = []): EditorState {
  return {
    segments: segments.map(normalise),
    selectedId: null,
    rejected: [...rejected],
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
    // Only a linked segment carries the key: a hand-drawn one looks as it always did.
    ...(segment.proposal !== undefined && segment.proposal !== null ? { proposal: segment.proposal } : {}),
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
function commit(
  state: EditorState,
  segments: Segment[],
  selectedId: string | null = state.selectedId,
  rejected: number[] = state.rejected,
): EditorState {
  const past = [...state.past, snapshot(state)];
  if (past.length > HISTORY_LIMIT) past.splice(0, past.length - HISTORY_LIMIT);
  return { ...state, segments, selectedId, rejected, past, future: [], version: state.version + 1 };
}

function snapshot(state: EditorState): Snapshot {
  return { segments: state.segments, selectedId: state.selectedId, rejected: state.rejected };
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
    case "accept-proposal": {
      const { proposal } = action;
      const linked = state.segments.find((segment) => segment.proposal === proposal.id);
      if (linked) return state.selectedId === linked.client_id ? state : { ...state, selectedId: linked.client_id };
      const a = clamp(proposal.onset, state.nFrames);
      const b = clamp(proposal.offset, state.nFrames);
      const segment: Segment = {
        client_id: action.newId,
        onset: Math.min(a, b),
        apex: null,
        offset: Math.max(a, b),
        type: proposal.type || state.defaultType,
        emotion: "",
        aus: [],
        note: "",
        proposal: proposal.id,
      };
      // Accepting a proposal rejected earlier takes the rejection back.
      const rejected = state.rejected.filter((id) => id !== proposal.id);
      return commit(state, [...state.segments, segment], segment.client_id, rejected);
    }
    case "reject-proposal": {
      if (state.rejected.includes(action.id)) return state;
      if (state.segments.some((segment) => segment.proposal === action.id)) return state;
      return commit(state, state.segments, state.selectedId, [...state.rejected, action.id]);
    }
    case "undo": {
      const previous = state.past[state.past.length - 1];
      if (!previous) return state;
      return {
        ...state,
        segments: previous.segments,
        selectedId: previous.selectedId,
        rejected: previous.rejected,
        past: state.past.slice(0, -1),
        future: [snapshot(state), ...state.future],
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
        rejected: next.rejected,
        past: [...state.past, snapshot(state)],
        future: state.future.slice(1),
        version: state.version + 1,
      };
    }
    case "replace": {
      const segments = action.segments.map(normalise);
      const selectedId = segments.some((segment) => segment.client_id === state.selectedId) ? state.selectedId : null;
      const rejected = action.rejected ? [...action.rejected] : state.rejected;
      if (action.record) return commit(state, segments, selectedId, rejected);
      return { ...state, segments, selectedId, rejected, past: [], future: [], version: state.version + 1 };
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

/**
 * The proposals still to review: neither linked to a segment nor rejected, by onset (then id).
 */
export function pendingProposals<P extends ProposalRef>(proposals: readonly P[], segments: readonly Segment[], rejected: readonly number[]): P[] {
  const linked = new Set(segments.map((segment) => segment.proposal).filter((id): id is number => typeof id === "number"));
  const gone = new Set(rejected);
  return proposals
    .filter((proposal) => !linked.has(proposal.id) && !gone.has(proposal.id))
    .sort((a, b) => a.onset - b.onset || a.offset - b.offset || a.id - b.id);
}

/**
 * The proposal the keys act on: the chosen one (by `g` or a click) while the playhead is inside
 * it, else the first pending one the playhead is inside; none when the playhead is outside all.
 * Without a playhead, the chosen one.
 */
export function currentProposal<P extends ProposalRef>(pending: readonly P[], playhead: number | null, chosenId: number | null): P | null {
  const chosen = chosenId === null ? null : (pending.find((proposal) => proposal.id === chosenId) ?? null);
  if (playhead === null) return chosen;
  const inside = (proposal: P) => proposal.onset <= playhead && playhead <= proposal.offset;
  if (chosen && inside(chosen)) return chosen;
  return pending.find(inside) ?? null;
}

/**
 * The proposal `g` (direction 1) or `G` (-1) goes to: the next or previous pending one after the
 * current one, or after / before the playhead when none is current; it wraps around.
 */
export function neighbourProposal<P extends ProposalRef>(pending: readonly P[], current: P | null, playhead: number, direction: 1 | -1): P | null {
  if (pending.length === 0) return null;
  if (current) {
    const index = pending.findIndex((proposal) => proposal.id === current.id);
    if (index >= 0) return pending[(index + direction + pending.length) % pending.length] ?? null;
  }
  if (direction === 1) return pending.find((proposal) => proposal.onset > playhead) ?? pending[0] ?? null;
  const before = pending.filter((proposal) => proposal.onset < playhead);
  return before[before.length - 1] ?? pending[pending.length - 1] ?? null;
}

/**
 * Where a segment came from, as the server derives it: no proposal, manual; the proposal's exact
 * onset, offset and type, accepted; otherwise edited. A proposal the page does not know (the
 * list is not loaded) leaves the server's word, `fallback`.
 */
export function provenanceOf(segment: Segment, proposals: ReadonlyMap<number, ProposalRef>, fallback: Provenance | null = null): Provenance {
  if (segment.proposal === undefined || segment.proposal === null) return "manual";
  const proposal = proposals.get(segment.proposal);
  if (!proposal) return fallback ?? "accepted";
  return proposal.onset === segment.onset && proposal.offset === segment.offset && proposal.type === segment.type ? "accepted" : "edited";
}
