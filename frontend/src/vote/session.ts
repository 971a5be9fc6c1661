/**
 * The voting session's rules, apart from React: which passes it holds, what a key does, how an
 * intensity moves, and how a vote reaches the server without being lost to a stale revision.
 */
import { castVote, getAssignment, type Assignment, type AssignmentSummary, type Vote, type VoteCaption, type VoteInput } from "../api/endpoints";
import { ApiError } from "../api/errors";

/** The most classes that get a number key (1–9); 0 is "unusable". */
export const MAX_CLASS_KEYS = 9;
export const MIN_INTENSITY = 1;
export const MAX_INTENSITY = 5;

export interface SessionPlan {
  /** The open clip passes of the project, in the order they are voted (oldest first). */
  open: AssignmentSummary[];
  /** Every clip pass of the project the caller holds, open and submitted. */
  total: number;
  /** Those already submitted when the session started. */
  submitted: number;
}

/** Whether a pass is a clip pass; a server without `task_kind` yet is taken at its word for the project. */
function isClipPass(pass: AssignmentSummary): boolean {
  return pass.task_kind === undefined || pass.task_kind === "clip_classification";
}

/** The caller's clip passes of project `slug`: the open ones to vote on, in pass order, and the counts. */
export function planSession(passes: readonly AssignmentSummary[], slug: string): SessionPlan {
  const mine = passes.filter((pass) => pass.project === slug && isClipPass(pass));
  const open = mine.filter((pass) => pass.status !== "submitted").sort((a, b) => a.id - b.id);
  return { open, total: mine.length, submitted: mine.length - open.length };
}

export type KeyAction =
  | { kind: "vote"; classIndex: number }
  | { kind: "unusable" }
  | { kind: "replay" }
  | { kind: "intensity"; delta: 1 | -1 }
  | { kind: "caption" }
  | { kind: "back" }
  | { kind: "forward" };

/** What key `key` does in a session of `classCount` classes; null for a key it leaves alone. */
export function keyAction(key: string, classCount: number): KeyAction | null {
  if (/^[1-9]$/.test(key)) {
    const classIndex = Number(key) - 1;
    return classIndex < Math.min(classCount, MAX_CLASS_KEYS) ? { kind: "vote", classIndex } : null;
  }
  switch (key) {
    case "0":
    case "u":
    case "U":
      return { kind: "unusable" };
    case "r":
    case "R":
    case " ":
      return { kind: "replay" };
    case "[":
      return { kind: "intensity", delta: -1 };
    case "]":
      return { kind: "intensity", delta: 1 };
    case "c":
    case "C":
      return { kind: "caption" };
    case "Backspace":
    case "z":
    case "Z":
    case "ArrowLeft":
      return { kind: "back" };
    case "ArrowRight":
      return { kind: "forward" };
    default:
      return null;
  }
}

/** The intensity after a step: none below 1, so `[` from 1 clears it and `]` from none gives 1. */
export function stepIntensity(current: number | null, delta: 1 | -1): number | null {
  if (current === null) return delta > 0 ? MIN_INTENSITY : null;
  const next = current + delta;
  if (next < MIN_INTENSITY) return null;
  return Math.min(next, MAX_INTENSITY);
}

/** The caption to send: trimmed, and null when both sentences are empty. */
export function captionToSend(caption: VoteCaption): VoteCaption | null {
  const trimmed = { emotion: caption.emotion.trim(), actions: caption.actions.trim() };
  return trimmed.emotion || trimmed.actions ? trimmed : null;
}

/** How a vote reached the server. */
export type Delivery =
  | { outcome: "saved"; revision: number }
  /** The pass was already submitted (another tab, another device): the server's vote stands. */
  | { outcome: "already-voted"; vote: Vote | null; revision: number };

export interface DeliveryDeps {
  cast: (assignmentId: number, body: VoteInput) => Promise<{ revision: number }>;
  fetchPass: (assignmentId: number) => Promise<Assignment>;
}

const DEFAULT_DEPS: DeliveryDeps = { cast: castVote, fetchPass: getAssignment };

/**
 * Cast `vote` on pass `assignmentId` at `revision`, submitting the pass. A 409 is resolved from
 * the pass as the server has it: submitted means its vote stands (reported, never hidden); still
 * open means the revision moved on (a save from another tab) and the vote is cast again on top.
 * Anything else rejects with the ApiError, for the page to show and retry.
 */
export async function deliverVote(assignmentId: number, revision: number, vote: Vote, deps: DeliveryDeps = DEFAULT_DEPS): Promise<Delivery> {
  const body = (at: number): VoteInput => ({ revision: at, label: vote.label, intensity: vote.intensity, caption: vote.caption, submit: true });
  try {
    const result = await deps.cast(assignmentId, body(revision));
    return { outcome: "saved", revision: result.revision };
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 409) throw error;
    const fresh = await deps.fetchPass(assignmentId);
    const freshRevision = fresh.revision ?? 0;
    if (fresh.status === "submitted") return { outcome: "already-voted", vote: fresh.vote ?? null, revision: freshRevision };
    const result = await deps.cast(assignmentId, body(freshRevision));
    return { outcome: "saved", revision: result.revision };
  }
}

/** Two votes say the same thing. */
export function sameVote(a: Vote | null, b: Vote | null): boolean {
  if (a === null || b === null) return a === b;
  return (
    a.label === b.label &&
    (a.intensity ?? null) === (b.intensity ?? null) &&
    (a.caption?.emotion ?? "") === (b.caption?.emotion ?? "") &&
    (a.caption?.actions ?? "") === (b.caption?.actions ?? "")
  );
}
