/**
 * A curator's draft of one video's consensus, as a pure reducer: the segments, the selection,
 * and undo. The draft starts from the latest consensus version; saving it makes a new version.
 *
 * Frames are integers on the video's timeline, intervals inclusive; after any operation
 * `0 <= onset <= apex <= offset <= nFrames - 1` holds. Keys for new segments come in the action,
 * so that the reducer stays pure.
 */
import type { AdjudicatedSegment, ConsensusSegment, PassSegment, VideoPass } from "./types";

export interface DraftSegment {
  /** Stable within the draft: `c<id>` for a segment of the loaded version, the action's key for a new one. */
  key: string;
  onset: number;
  apex: number | null;
  offset: number;
  type: string;
  emotion: string;
  aus: string[];
  member_segment_ids: number[];
  support: number;
  n_passes: number;
  needs_curator: boolean;
  reasons: string[];
}

export interface DraftState {
  segments: DraftSegment[];
  selectedKey: string | null;
  past: { segments: DraftSegment[]; selectedKey: string | null }[];
  /** Grows with every change of the segments; 0 is the loaded version. */
  version: number;
  nFrames: number;
  /** The expression types in schema order (`t` cycles through them). */
  types: string[];
}

export type DraftAction =
  | { kind: "select"; key: string | null }
  | { kind: "select-next"; direction: 1 | -1 }
  | { kind: "accept" }
  | { kind: "reject" }
  | { kind: "set-onset"; frame: number }
  | { kind: "set-offset"; frame: number }
  | { kind: "add"; key: string; frame: number; from?: PassSegment | null; nPasses: number }
  | { kind: "cycle-type" }
  | { kind: "undo" }
  | { kind: "load"; segments: ConsensusSegment[] };

export function draftFromConsensus(segment: ConsensusSegment): DraftSegment {
  return {
    key: `c${segment.id}`,
    onset: segment.onset,
    apex: segment.apex ?? null,
    offset: segment.offset,
    type: segment.type,
    emotion: segment.emotion ?? "",
    aus: [...(segment.aus ?? [])],
    member_segment_ids: [...(segment.member_segment_ids ?? [])],
    support: segment.support,
    n_passes: segment.n_passes,
    needs_curator: segment.needs_curator,
    reasons: [...(segment.reasons ?? [])],
  };
}

export function createDraft(segments: ConsensusSegment[], nFrames: number, types: string[]): DraftState {
  return { segments: ordered(segments.map(draftFromConsensus)), selectedKey: null, past: [], version: 0, nFrames, types };
}

/** Timeline order: by onset, then offset, then key. */
export function ordered(segments: readonly DraftSegment[]): DraftSegment[] {
  return [...segments].sort((a, b) => a.onset - b.onset || a.offset - b.offset || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function selectedDraft(state: DraftState): DraftSegment | null {
  return state.segments.find((segment) => segment.key === state.selectedKey) ?? null;
}

/** A consensus segment a curator should look at: flagged, or not marked by every pass. */
export function isDisputed(segment: Pick<DraftSegment, "needs_curator" | "support" | "n_passes">): boolean {
  return segment.needs_curator || segment.support < segment.n_passes;
}

/** The ids of pass segments that no consensus segment counts among its members. */
export function unmatchedPassSegments(passes: readonly VideoPass[], consensus: readonly Pick<DraftSegment, "member_segment_ids">[]): Set<number> {
  const members = new Set(consensus.flatMap((segment) => segment.member_segment_ids));
  const unmatched = new Set<number>();
  for (const pass of passes) for (const segment of pass.segments) if (!members.has(segment.id)) unmatched.add(segment.id);
  return unmatched;
}

/** The draft as the adjudication endpoint takes it, in timeline order. */
export function toPayload(segments: readonly DraftSegment[]): AdjudicatedSegment[] {
  return ordered(segments).map((segment) => ({
    onset: segment.onset,
    apex: segment.apex,
    offset: segment.offset,
    type: segment.type,
    emotion: segment.emotion,
    aus: [...segment.aus],
    member_segment_ids: [...segment.member_segment_ids],
  }));
}

function clamp(frame: number, nFrames: number): number {
  if (!Number.isFinite(frame)) return 0;
  return Math.min(Math.max(Math.round(frame), 0), Math.max(0, nFrames - 1));
}

function clampApex(segment: DraftSegment): DraftSegment {
  if (segment.apex === null) return segment;
  const apex = Math.min(Math.max(segment.apex, segment.onset), segment.offset);
  return apex === segment.apex ? segment : { ...segment, apex };
}

function commit(state: DraftState, segments: DraftSegment[], selectedKey: string | null = state.selectedKey): DraftState {
  const past = [...state.past, { segments: state.segments, selectedKey: state.selectedKey }].slice(-200);
  return { ...state, segments: ordered(segments), selectedKey, past, version: state.version + 1 };
}

function updateSelected(state: DraftState, change: (segment: DraftSegment) => DraftSegment): DraftState {
  const current = selectedDraft(state);
  if (!current) return state;
  const next = clampApex(change(current));
  return commit(
    state,
    state.segments.map((segment) => (segment.key === current.key ? next : segment)),
  );
}

export function draftReducer(state: DraftState, action: DraftAction): DraftState {
  switch (action.kind) {
    case "select": {
      const exists = action.key === null || state.segments.some((segment) => segment.key === action.key);
      return exists ? { ...state, selectedKey: action.key } : state;
    }
    case "select-next": {
      const list = ordered(state.segments);
      if (list.length === 0) return state;
      const index = list.findIndex((segment) => segment.key === state.selectedKey);
      const next = index === -1 ? (action.direction === 1 ? 0 : list.length - 1) : Math.min(Math.max(index + action.direction, 0), list.length - 1);
      return { ...state, selectedKey: list[next]?.key ?? null };
    }
    case "accept": {
      const current = selectedDraft(state);
      if (!current || !current.needs_curator) return state;
      return updateSelected(state, (segment) => ({ ...segment, needs_curator: false, reasons: [] }));
    }
    case "reject": {
      const current = selectedDraft(state);
      if (!current) return state;
      // The selection moves on to the next segment (or the previous one at the end).
      const list = ordered(state.segments);
      const index = list.findIndex((segment) => segment.key === current.key);
      const rest = list.filter((segment) => segment.key !== current.key);
      const next = rest[Math.min(index, rest.length - 1)]?.key ?? null;
      return commit(state, rest, next);
    }
    case "set-onset": {
      const frame = clamp(action.frame, state.nFrames);
      // An onset after the offset: the old offset becomes the onset and the frame the offset.
      return updateSelected(state, (segment) =>
        frame > segment.offset ? { ...segment, onset: segment.offset, offset: frame } : { ...segment, onset: frame },
      );
    }
    case "set-offset": {
      const frame = clamp(action.frame, state.nFrames);
      return updateSelected(state, (segment) =>
        frame < segment.onset ? { ...segment, onset: frame, offset: segment.onset } : { ...segment, offset: frame },
      );
    }
    case "add": {
      const from = action.from ?? null;
      const frame = clamp(action.frame, state.nFrames);
      const segment: DraftSegment = from
        ? {
            key: action.key,
            onset: clamp(from.onset, state.nFrames),
            apex: from.apex ?? null,
            offset: clamp(from.offset, state.nFrames),
            type: from.type || (state.types[0] ?? ""),
            emotion: from.emotion ?? "",
            aus: [...(from.aus ?? [])],
            member_segment_ids: [from.id],
            support: 1,
            n_passes: action.nPasses,
            needs_curator: false,
            reasons: [],
          }
        : {
            key: action.key,
            onset: frame,
            apex: null,
            offset: frame,
            type: state.types[0] ?? "",
            emotion: "",
            aus: [],
            member_segment_ids: [],
            support: 0,
            n_passes: action.nPasses,
            needs_curator: false,
            reasons: [],
          };
      return commit(state, [...state.segments, clampApex(segment)], segment.key);
    }
    case "cycle-type": {
      if (state.types.length === 0) return state;
      return updateSelected(state, (segment) => {
        const index = state.types.indexOf(segment.type);
        return { ...segment, type: state.types[(index + 1) % state.types.length] ?? segment.type };
      });
    }
    case "undo": {
      const previous = state.past.at(-1);
      if (!previous) return state;
      return { ...state, segments: previous.segments, selectedKey: previous.selectedKey, past: state.past.slice(0, -1), version: state.version + 1 };
    }
    case "load":
      return { ...createDraft(action.segments, state.nFrames, state.types), version: state.version + 1 };
  }
}

/** The draft differs from the loaded version (undo back to it counts as unchanged). */
export function isDirty(state: DraftState): boolean {
  return state.past.length > 0;
}
