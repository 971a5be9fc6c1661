import { memo, useCallback, useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from "react";
import {
  getAssignment,
  getVideo,
  listProposals,
  rejectedProposalsOf,
  reportActivity,
  savePassSegments,
  submitAssignment,
  type Assignment,
  type Proposal,
  type ServerSegment,
  type Video,
} from "../api/endpoints";
import { ApiError } from "../api/errors";
import { Link } from "../components/Link";
import { PageState } from "../components/PageState";
import { clampFrame, formatFps, formatTimecodeMs, frameRateOf, parseSprite, seekTimeForFrame, type FrameRate, type SpriteSheet } from "../video/frames";
import { useFrameClock } from "../video/useFrameClock";
import { FrameReadout, GoToFrame, isTextEntry, SpeedSelect, ProxyVideo } from "../video/VideoPlayer";
import { Autosave, draftOutcome, readDraft, type SaveStatus } from "./autosave";
import {
  createEditor,
  currentProposal,
  editorReducer,
  findProblems,
  neighbourProposal,
  pendingProposals,
  provenanceOf,
  selectedSegment,
  sortedSegments,
  type Provenance,
  type Segment,
} from "./editor";
import { AU_INTENSITIES, parseLabelSchema, splitAu, type LabelSchema } from "./labelSchema";
import { maxZoom, MIN_ZOOM, Timeline, typeColour } from "./Timeline";

type Loaded =
  | { state: "loading" }
  | { state: "ready"; assignment: Assignment; video: Video; rate: FrameRate }
  | { state: "not-found" }
  | { state: "error"; message: string };

export function AnnotatePage({ assignmentId }: { assignmentId: number }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });

  useEffect(() => {
    let active = true;
    (async () => {
      try {
        const assignment = await getAssignment(assignmentId);
        const video = await getVideo(assignment.video);
        if (!active) return;
        const rate = frameRateOf(video);
        if (!rate || !video.n_frames) setLoaded({ state: "error", message: "This video is not ready to annotate." });
        else setLoaded({ state: "ready", assignment, video, rate });
      } catch (error) {
        if (!active) return;
        if (error instanceof ApiError && error.status === 404) setLoaded({ state: "not-found" });
        else setLoaded({ state: "error", message: error instanceof ApiError ? error.detail : "Could not load the pass." });
      }
    })();
    return () => {
      active = false;
    };
  }, [assignmentId]);

  useEffect(() => {
    if (loaded.state === "ready") document.title = `${loaded.video.original_name || "Pass"} · Annotate · Spotlab`;
  }, [loaded]);

  if (loaded.state !== "ready") {
    return (
      <PageState
        loaded={loaded}
        loading="Loading the pass…"
        notFoundTitle="Pass not found"
        notFound={
          <p>This pass does not exist or is not yours.</p>
        }
        wide
      />
    );
  }
  return <Annotator assignment={loaded.assignment} video={loaded.video} rate={loaded.rate} />;
}

function toSegment(data: ServerSegment): Segment {
  return {
    client_id: data.client_id,
    onset: data.onset,
    apex: data.apex ?? null,
    offset: data.offset,
    type: data.type,
    emotion: data.emotion ?? "",
    aus: data.aus ?? [],
    note: data.note ?? "",
    ...(data.proposal !== undefined && data.proposal !== null ? { proposal: data.proposal } : {}),
  };
}

function asProvenance(value: string | null | undefined): Provenance | null {
  return value === "manual" || value === "accepted" || value === "edited" ? value : null;
}

type ProposalsLoad = { state: "loading" } | { state: "ready"; proposals: Proposal[] } | { state: "error"; message: string };

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function newId(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  return `s-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

const SAVE_LABELS: Record<SaveStatus["state"], string> = {
  saved: "Saved",
  saving: "Saving…",
  unsaved: "Unsaved changes",
  offline: "Offline — will retry",
  conflict: "Conflict",
};

interface ConflictInfo {
  revision: number;
  segments: Segment[];
  rejected: number[];
}

export const ACTIVITY_TICK_MS = 30_000;
export const IDLE_MS = 60_000;

/**
 * The seconds of work to report at a tick: the time since the last tick (at most one tick),
 * or none while the page is hidden or nobody has touched it for more than a minute.
 */
export function activeSeconds(now: number, lastTick: number, lastInteraction: number, visible: boolean): number {
  if (!visible || now - lastInteraction > IDLE_MS) return 0;
  return Math.max(0, Math.min(ACTIVITY_TICK_MS, now - lastTick)) / 1000;
}

interface AnnotatorProps {
  assignment: Assignment;
  video: Video;
  rate: FrameRate;
}

function Annotator({ assignment, video, rate }: AnnotatorProps) {
  const schema: LabelSchema = useMemo(() => parseLabelSchema(assignment.label_schema), [assignment.label_schema]);
  const typeNames = useMemo(() => schema.expression_types.map((t) => t.name), [schema]);
  const nFrames = video.n_frames ?? 1;
  const last = Math.max(0, nFrames - 1);
  const sprite: SpriteSheet | null = useMemo(() => parseSprite(video.sprite), [video.sprite]);
  const serverSegments = useMemo(() => assignment.segments.map(toSegment), [assignment.segments]);
  const assisted = assignment.mode === "assisted";
  const serverRejected = useMemo(() => rejectedProposalsOf(assignment), [assignment]);
  // The server's word on where each stored segment came from (before the proposals are loaded).
  const serverSources = useMemo(
    () => new Map((assignment.segments as ServerSegment[]).map((segment) => [segment.client_id, segment.source ?? null])),
    [assignment.segments],
  );

  // A draft left by an earlier visit: re-applied on the same revision, a conflict otherwise.
  const initial = useMemo(() => {
    const draft = readDraft(storage(), assignment.id);
    const outcome =
      assignment.status === "open" ? draftOutcome(draft, assignment.revision ?? 0, serverSegments, assisted ? serverRejected : undefined) : "none";
    const useDraft = outcome !== "none" && draft !== null;
    return {
      outcome,
      segments: useDraft ? draft.segments : serverSegments,
      rejected: useDraft && draft.rejected ? draft.rejected : serverRejected,
    };
  }, [assignment, serverSegments, serverRejected, assisted]);

  const [editor, dispatch] = useReducer(editorReducer, null, () =>
    createEditor(initial.segments, nFrames, typeNames[0] ?? "", assisted ? initial.rejected : []),
  );
  // Assisted passes: the model's proposals, fetched once (never in a blind pass).
  const [proposalsLoad, setProposalsLoad] = useState<ProposalsLoad | null>(assisted ? { state: "loading" } : null);
  const [chosenProposal, setChosenProposal] = useState<number | null>(null);
  const [status, setStatus] = useState<SaveStatus>({ state: "saved", revision: assignment.revision ?? 0, fieldErrors: {}, message: null, locked: false });
  const [conflict, setConflict] = useState<ConflictInfo | null>(null);
  const [discarded, setDiscarded] = useState<Segment[] | null>(null);
  const [submitted, setSubmitted] = useState(assignment.status === "submitted");
  const [submitOpen, setSubmitOpen] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const [helpOpen, setHelpOpen] = useState(false);
  const [guidelinesOpen, setGuidelinesOpen] = useState(true);
  const [zoom, setZoomState] = useState(1);
  const [speed, setSpeed] = useState(1);
  const [timeSpent, setTimeSpent] = useState(assignment.time_spent_s ?? 0);
  const readOnly = submitted || status.locked;

  const videoRef = useRef<HTMLVideoElement>(null);
  const regionRef = useRef<HTMLDivElement>(null);
  const clock = useFrameClock(videoRef, rate, nFrames);
  const { frame, showFrame, step, playing, togglePlay, targetFrame } = clock;

  // -- autosave --------------------------------------------------------------------------------
  // One saver per mounted page (created in an effect, so that a remount gets a fresh one).
  const [saver, setSaver] = useState<Autosave | null>(null);
  const sentVersion = useRef(editor.version);
  const skipVersion = useRef<number | null>(null);

  useEffect(() => {
    const created = new Autosave({
      assignmentId: assignment.id,
      revision: assignment.revision ?? 0,
      storage: storage(),
      send: (revision, segments, rejected) => savePassSegments(assignment.id, revision, segments, rejected),
      onStatus: setStatus,
    });
    const rejected = assisted ? initial.rejected : undefined;
    if (initial.outcome === "apply") created.edit(sortedSegments(initial.segments), rejected);
    if (initial.outcome === "conflict") created.markConflict(sortedSegments(initial.segments), rejected);
    setSaver(created);
    return () => created.dispose();
  }, [assignment, initial, assisted]);

  useEffect(() => {
    if (editor.version === sentVersion.current) return;
    sentVersion.current = editor.version;
    if (skipVersion.current === editor.version) return;
    if (!readOnly) saver?.edit(sortedSegments(editor.segments), assisted ? editor.rejected : undefined);
  }, [editor.version, editor.segments, editor.rejected, saver, readOnly, assisted]);

  useEffect(() => {
    if (!assisted) return;
    let active = true;
    listProposals(video.id)
      .then((proposals) => {
        if (active) setProposalsLoad({ state: "ready", proposals });
      })
      .catch((error: unknown) => {
        if (active) setProposalsLoad({ state: "error", message: error instanceof ApiError ? error.detail : "Could not load the model's proposals." });
      });
    return () => {
      active = false;
    };
  }, [assisted, video.id]);

  // Leaving with unsent edits: the browser asks first (they are in localStorage all the same).
  useEffect(() => {
    const onBeforeUnload = (event: BeforeUnloadEvent) => {
      if (saver?.hasUnsent && !readOnly) event.preventDefault();
    };
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [saver, readOnly]);

  // A conflict: fetch the server's version to choose from.
  useEffect(() => {
    if (status.state !== "conflict" || conflict) return;
    let active = true;
    getAssignment(assignment.id)
      .then((fresh) => {
        if (active) setConflict({ revision: fresh.revision ?? 0, segments: fresh.segments.map(toSegment), rejected: rejectedProposalsOf(fresh) });
      })
      .catch(() => {
        if (active) setConflict({ revision: assignment.revision ?? 0, segments: serverSegments, rejected: serverRejected });
      });
    return () => {
      active = false;
    };
  }, [status.state, conflict, assignment, serverSegments, serverRejected]);

  function keepMine() {
    if (!conflict || !saver) return;
    saver.keepMine(conflict.revision);
    setConflict(null);
  }

  function takeTheirs() {
    if (!conflict || !saver) return;
    setDiscarded(sortedSegments(editor.segments));
    skipVersion.current = editor.version + 1;
    dispatch({ kind: "replace", segments: conflict.segments, record: true, ...(assisted ? { rejected: conflict.rejected } : {}) });
    saver.takeTheirs(conflict.revision);
    setConflict(null);
  }

  // -- time on task ---------------------------------------------------------------------------
  const lastInteraction = useRef(Date.now());
  useEffect(() => {
    const touch = () => {
      lastInteraction.current = Date.now();
    };
    window.addEventListener("keydown", touch);
    window.addEventListener("pointerdown", touch);
    window.addEventListener("wheel", touch, { passive: true });
    let lastTick = Date.now();
    const timer = window.setInterval(() => {
      const now = Date.now();
      const seconds = activeSeconds(now, lastTick, lastInteraction.current, document.visibilityState === "visible");
      lastTick = now;
      if (readOnly || seconds <= 0) return;
      reportActivity(assignment.id, seconds)
        .then((result) => setTimeSpent(result.time_spent_s))
        .catch(() => undefined);
    }, ACTIVITY_TICK_MS);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener("keydown", touch);
      window.removeEventListener("pointerdown", touch);
      window.removeEventListener("wheel", touch);
    };
  }, [assignment.id, readOnly]);

  // -- playback of a segment ------------------------------------------------------------------
  const range = useRef<{ onset: number; offset: number; loop: boolean } | null>(null);
  useEffect(() => {
    const current = range.current;
    const element = videoRef.current;
    if (!current || !element || frame === null) return;
    if (!playing) {
      if (element.paused && !element.seeking && frame >= current.offset) range.current = null;
      return;
    }
    if (frame >= current.offset) {
      if (current.loop) element.currentTime = seekTimeForFrame(current.onset, rate);
      else {
        range.current = null;
        showFrame(current.offset);
      }
    }
  }, [frame, playing, rate, showFrame]);

  const playSegment = useCallback(
    (segment: Segment, loop: boolean) => {
      const element = videoRef.current;
      if (!element) return;
      range.current = { onset: segment.onset, offset: segment.offset, loop };
      element.currentTime = seekTimeForFrame(segment.onset, rate);
      void element.play()?.catch(() => undefined);
    },
    [rate],
  );

  useEffect(() => {
    const element = videoRef.current;
    if (!element) return;
    element.defaultPlaybackRate = speed;
    element.playbackRate = speed;
  }, [speed]);

  const setZoom = useCallback(
    (value: number) => {
      const width = regionRef.current?.clientWidth ?? 800;
      setZoomState(Math.min(Math.max(value, MIN_ZOOM), maxZoom(width, nFrames)));
    },
    [nFrames],
  );

  const playhead = () => targetFrame() ?? 0;
  const selected = selectedSegment(editor);

  // -- proposals (assisted passes) --------------------------------------------------------------
  const proposals = useMemo(() => (proposalsLoad?.state === "ready" ? proposalsLoad.proposals : []), [proposalsLoad]);
  const proposalsById = useMemo(() => new Map(proposals.map((proposal) => [proposal.id, proposal])), [proposals]);
  const pending = useMemo(() => pendingProposals(proposals, editor.segments, editor.rejected), [proposals, editor.segments, editor.rejected]);
  // The frame asked for last (a seek not yet shown counts), else the one on screen.
  const here = targetFrame() ?? frame;
  const current = assisted ? currentProposal(pending, here, chosenProposal) : null;
  const provenance: Provenance | null =
    assisted && selected ? provenanceOf(selected, proposalsById, asProvenance(serverSources.get(selected.client_id))) : null;

  const chooseProposal = useCallback(
    (proposal: Proposal) => {
      setChosenProposal(proposal.id);
      showFrame(proposal.onset);
    },
    [showFrame],
  );
  const acceptProposal = useCallback((proposal: Proposal) => {
    dispatch({ kind: "accept-proposal", proposal, newId: newId() });
  }, []);
  const rejectProposal = useCallback((proposal: Proposal) => {
    dispatch({ kind: "reject-proposal", id: proposal.id });
  }, []);
  // A click on a ghost: it becomes current, the playhead at its onset.
  const pendingRef = useRef(pending);
  pendingRef.current = pending;
  const clickGhost = useCallback(
    (id: number) => {
      const proposal = pendingRef.current.find((candidate) => candidate.id === id);
      if (proposal) chooseProposal(proposal);
    },
    [chooseProposal],
  );

  // -- the keyboard ---------------------------------------------------------------------------
  const keyState = useRef({ editor, selected, readOnly, schema, helpOpen, zoom, submitOpen, assisted, pending, chosenProposal });
  keyState.current = { editor, selected, readOnly, schema, helpOpen, zoom, submitOpen, assisted, pending, chosenProposal };
  const actions = useRef({ step, showFrame, togglePlay, playSegment, setZoom, playhead, chooseProposal });
  actions.current = { step, showFrame, togglePlay, playSegment, setZoom, playhead, chooseProposal };

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.altKey) return;
      if (isTextEntry(event.target)) return;
      const s = keyState.current;
      const a = actions.current;
      const editable = !s.readOnly;
      const key = event.key;
      // The proposal under the playhead (or chosen with g), in an assisted pass.
      const ghost = () => (s.assisted ? currentProposal(s.pending, a.playhead(), s.chosenProposal) : null);
      if (event.ctrlKey || event.metaKey) {
        const lower = key.toLowerCase();
        if (editable && lower === "z") dispatch({ kind: event.shiftKey ? "redo" : "undo" });
        else if (editable && lower === "y") dispatch({ kind: "redo" });
        else return;
        event.preventDefault();
        return;
      }
      switch (key) {
        case " ":
          if (!event.repeat) a.togglePlay();
          break;
        case "ArrowRight":
          a.step(event.shiftKey ? 10 : 1);
          break;
        case "ArrowLeft":
          a.step(event.shiftKey ? -10 : -1);
          break;
        case "Home":
          a.showFrame(0);
          break;
        case "End":
          a.showFrame(last);
          break;
        case "?":
          setHelpOpen((open) => !open);
          break;
        case "Escape":
          if (s.helpOpen) setHelpOpen(false);
          else if (s.submitOpen) setSubmitOpen(false);
          else dispatch({ kind: "select", clientId: null });
          break;
        case "+":
        case "=":
          a.setZoom(s.zoom * 1.5);
          break;
        case "-":
        case "_":
          a.setZoom(s.zoom / 1.5);
          break;
        case "Tab":
          dispatch({ kind: "select-next", direction: event.shiftKey ? -1 : 1 });
          break;
        case "[":
          if (s.selected) a.showFrame(s.selected.onset);
          break;
        case "]":
          if (s.selected) a.showFrame(s.selected.offset);
          break;
        case "p":
        case "l":
          if (s.selected) a.playSegment(s.selected, key === "l");
          break;
        case "i":
          if (!editable) return;
          dispatch({ kind: "set-onset", frame: a.playhead(), newId: newId() });
          break;
        case "o":
          if (!editable || !s.selected) return;
          dispatch({ kind: "set-offset", frame: a.playhead() });
          break;
        case "a":
          if (!editable || !s.selected || !s.schema.apex) return;
          dispatch({ kind: "set-apex", frame: a.playhead() });
          break;
        case "Enter":
        case "n": {
          // Enter on a current proposal accepts it; otherwise Enter and n finish the segment.
          const proposal = key === "Enter" && editable ? ghost() : null;
          if (proposal) {
            dispatch({ kind: "accept-proposal", proposal, newId: newId() });
            break;
          }
          if (!s.selected) return;
          dispatch({ kind: "select", clientId: null });
          break;
        }
        case "x": {
          const proposal = editable ? ghost() : null;
          if (!proposal) return;
          dispatch({ kind: "reject-proposal", id: proposal.id });
          break;
        }
        case "g":
        case "G": {
          if (!s.assisted) return;
          const target = neighbourProposal(s.pending, ghost(), a.playhead(), key === "g" ? 1 : -1);
          if (!target) return;
          a.chooseProposal(target);
          break;
        }
        case "Delete":
        case "Backspace":
          if (!editable || !s.selected) return;
          dispatch({ kind: "delete" });
          break;
        case "m":
        case "u": {
          const type = key === "m" ? "macro" : "micro";
          if (!editable || !s.selected || !s.schema.expression_types.some((t) => t.name === type)) return;
          dispatch({ kind: "set-type", type });
          break;
        }
        default: {
          if (/^[1-9]$/.test(key) && editable && s.selected) {
            const emotion = s.schema.emotions[Number(key) - 1];
            if (!emotion) return;
            dispatch({ kind: "set-emotion", emotion: emotion.name });
            break;
          }
          return;
        }
      }
      event.preventDefault();
    }
    function onKeyUp(event: KeyboardEvent) {
      if (event.key === " " && !isTextEntry(event.target) && !event.ctrlKey && !event.metaKey && !event.altKey) event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    window.addEventListener("keyup", onKeyUp);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
      window.removeEventListener("keyup", onKeyUp);
    };
  }, [last]);

  const focusPlayer = useCallback(() => regionRef.current?.focus({ preventScroll: true }), []);

  const selectSegment = useCallback((clientId: string) => dispatch({ kind: "select", clientId }), []);
  const setEdges = useCallback(
    (clientId: string, onset: number, offset: number) => dispatch({ kind: "set-edges", clientId, onset, offset }),
    [],
  );
  const openSegment = useCallback(
    (segment: Segment) => {
      dispatch({ kind: "select", clientId: segment.client_id });
      showFrame(segment.onset);
      focusPlayer();
    },
    [showFrame, focusPlayer],
  );
  const apexHere = useCallback(() => dispatch({ kind: "set-apex", frame: targetFrame() ?? 0 }), [targetFrame]);

  const invalidIds = useMemo(() => new Set(Object.keys(status.fieldErrors)), [status.fieldErrors]);
  const ordered = useMemo(() => sortedSegments(editor.segments), [editor.segments]);
  const problems = useMemo(
    () => findProblems(editor.segments, { types: typeNames, hasEmotions: schema.emotions.length > 0 }),
    [editor.segments, typeNames, schema.emotions.length],
  );
  // An edit made in this render reaches the saver in an effect: never show "saved" before.
  const pendingEdit = !readOnly && editor.version !== sentVersion.current && skipVersion.current !== editor.version;
  const saveState: SaveStatus["state"] = pendingEdit && status.state === "saved" ? "unsaved" : status.state;
  const unsaved = saveState !== "saved";

  async function submit() {
    setSubmitting(true);
    setSubmitError(null);
    try {
      const result = await submitAssignment(assignment.id);
      setSubmitted(result.status === "submitted");
      setSubmitOpen(false);
    } catch (error) {
      setSubmitError(error instanceof ApiError ? error.detail : "Could not submit the pass.");
    } finally {
      setSubmitting(false);
    }
  }

  const aspect = video.width && video.height ? video.width / video.height : 16 / 9;

  return (
    <main className="page page-wide annotate" data-testid="annotator">
      <div className="annotate-head">
        <div>
          <nav className="breadcrumbs" aria-label="Breadcrumbs">
            <Link to="/queue">My queue</Link> <span aria-hidden="true">/</span> <span>Pass {assignment.pass_index}</span>
          </nav>
          <h1 className="annotate-title">{video.original_name || `Video ${video.id}`}</h1>
          <p className="muted annotate-meta">
            {assignment.project} · {formatFps(rate)} fps · frames 0–{last} · {ordered.length} segment{ordered.length === 1 ? "" : "s"} · {Math.round(timeSpent / 60)} min on task
          </p>
        </div>
        <div className="annotate-actions">
          <span className={`save-state save-state-${saveState}`} data-testid="save-state" data-state={saveState} role="status" title={status.message ?? undefined}>
            <span className="save-dot" aria-hidden="true" />
            {readOnly && submitted ? "Submitted" : SAVE_LABELS[saveState]}
          </span>
          <button type="button" className="button button-small button-quiet" onClick={() => setHelpOpen(true)} title="Keyboard shortcuts (?)">
            Shortcuts <kbd>?</kbd>
          </button>
          {!submitted && (
            <button type="button" className="button button-primary" data-testid="submit-pass" onClick={() => setSubmitOpen(true)} disabled={status.locked}>
              Submit pass
            </button>
          )}
        </div>
      </div>

      {submitted && (
        <div className="alert alert-success annotate-banner" data-testid="submitted-banner" role="status">
          This pass is submitted and locked. A curator can reopen it.
        </div>
      )}
      {status.locked && !submitted && (
        <div className="alert alert-error annotate-banner" role="alert">
          {status.message ?? "This pass is locked."} Your unsent edits are kept in this browser.
        </div>
      )}
      {status.state === "offline" && (
        <div className="alert alert-info annotate-banner" role="status">
          Could not save: {status.message} Your edits are kept in this browser and will be sent when the server answers.
        </div>
      )}

      {status.state === "conflict" && (
        <section className="conflict-panel" data-testid="conflict-panel" aria-label="Conflict">
          <h2>The pass was changed elsewhere</h2>
          <p>
            Another tab or device saved this pass after your last save. Nothing has been overwritten: your version is still here on
            screen.
          </p>
          {conflict ? (
            <p className="muted">
              Yours: {editor.segments.length} segment{editor.segments.length === 1 ? "" : "s"} · theirs (revision {conflict.revision}): {conflict.segments.length} segment
              {conflict.segments.length === 1 ? "" : "s"}.
            </p>
          ) : (
            <p className="muted">Loading the server's version…</p>
          )}
          <div className="conflict-actions">
            <button type="button" className="button button-primary" data-testid="conflict-keep-mine" disabled={!conflict} onClick={keepMine}>
              Keep mine
            </button>
            <button type="button" className="button" data-testid="conflict-take-theirs" disabled={!conflict} onClick={takeTheirs}>
              Take theirs
            </button>
            <DownloadJson name={`pass-${assignment.id}-mine.json`} segments={sortedSegments(editor.segments)} label="Download mine as JSON" />
          </div>
        </section>
      )}
      {discarded && status.state !== "conflict" && (
        <div className="alert alert-info annotate-banner">
          You took the server's version. Your discarded edits ({discarded.length} segment{discarded.length === 1 ? "" : "s"}) can still be downloaded:{" "}
          <DownloadJson name={`pass-${assignment.id}-discarded.json`} segments={discarded} label="Download JSON" />{" "}
          <button type="button" className="button button-small button-quiet" onClick={() => setDiscarded(null)}>
            Dismiss
          </button>
        </div>
      )}

      <div className="annotate-grid">
        <div className="annotate-main">
          <div className="player annotate-player" ref={regionRef} tabIndex={-1} aria-label="Video player">
            <div className="player-stage">
              <ProxyVideo
                videoRef={videoRef}
                videoId={video.id}
                aspect={aspect}
                speed={speed}
                className="player-video annotate-video"
                onToggle={togglePlay}
                onReady={() => showFrame(0)}
              />
            </div>
            <div className="player-bar">
              <div className="player-buttons" role="group" aria-label="Transport">
                <button type="button" className="button button-small" title="Back 10 frames (Shift+←)" onClick={() => step(-10)}>
                  −10
                </button>
                <button type="button" className="button button-small" title="Previous frame (←)" onClick={() => step(-1)}>
                  −1
                </button>
                <button type="button" className="button button-small button-primary player-play" data-testid="play-pause" onClick={togglePlay} title="Play or pause (Space)">
                  {playing ? "Pause" : "Play"}
                </button>
                <button type="button" className="button button-small" title="Next frame (→)" onClick={() => step(1)}>
                  +1
                </button>
                <button type="button" className="button button-small" title="Forward 10 frames (Shift+→)" onClick={() => step(10)}>
                  +10
                </button>
              </div>
              <FrameReadout frame={frame} last={last} rate={rate} />
              <GoToFrame
                id={`goto-${assignment.id}`}
                last={last}
                onGo={(n) => {
                  showFrame(clampFrame(n, nFrames));
                  focusPlayer();
                }}
              />
              <SpeedSelect
                speed={speed}
                onChange={(value) => {
                  setSpeed(value);
                  focusPlayer();
                }}
              />
            </div>
            <Timeline
              videoId={video.id}
              sprite={sprite}
              nFrames={nFrames}
              frame={frame}
              segments={editor.segments}
              selectedId={editor.selectedId}
              types={typeNames}
              invalidIds={invalidIds}
              readOnly={readOnly}
              zoom={zoom}
              onZoom={setZoom}
              onSeek={showFrame}
              onSelect={selectSegment}
              onEdges={setEdges}
              ghosts={assisted ? pending : null}
              currentGhostId={current?.id ?? null}
              onGhost={clickGhost}
            />
          </div>

          <SegmentList
            segments={ordered}
            selectedId={editor.selectedId}
            types={typeNames}
            fieldErrors={status.fieldErrors}
            rate={rate}
            onSelect={openSegment}
          />
        </div>

        <aside className="annotate-side">
          <LabelPanel
            segment={selected}
            schema={schema}
            readOnly={readOnly}
            errors={selected ? status.fieldErrors[selected.client_id] : undefined}
            generalError={status.state === "unsaved" && !status.locked && Object.keys(status.fieldErrors).length === 0 ? status.message : null}
            dispatch={dispatch}
            onApexHere={apexHere}
            onDone={focusPlayer}
            provenance={provenance}
          />
          {assisted && (
            <ProposalPanel
              load={proposalsLoad}
              left={pending.length}
              total={proposals.length}
              current={current}
              readOnly={readOnly}
              onAccept={(proposal) => {
                acceptProposal(proposal);
                focusPlayer();
              }}
              onReject={(proposal) => {
                rejectProposal(proposal);
                focusPlayer();
              }}
              onNext={() => {
                const target = neighbourProposal(pending, current, playhead(), 1);
                if (target) chooseProposal(target);
                focusPlayer();
              }}
            />
          )}
          <section className="panel guidelines" aria-label="Guidelines">
            <button type="button" className="guidelines-toggle" aria-expanded={guidelinesOpen} onClick={() => setGuidelinesOpen((open) => !open)}>
              <span className="panel-title">Guidelines</span>
              <span aria-hidden="true">{guidelinesOpen ? "▾" : "▸"}</span>
            </button>
            {guidelinesOpen && (
              <div className="guidelines-body" data-testid="guidelines">
                {schema.guidelines ? <p className="guidelines-text">{schema.guidelines}</p> : <p className="muted">This project has no written guidelines.</p>}
              </div>
            )}
          </section>
        </aside>
      </div>

      {submitOpen && (
        <SubmitDialog
          problems={problems}
          unsaved={unsaved}
          count={editor.segments.length}
          submitting={submitting}
          error={submitError}
          onCancel={() => setSubmitOpen(false)}
          onConfirm={() => void submit()}
          onSaveNow={() => saver?.flush()}
        />
      )}
      {helpOpen && <HelpOverlay onClose={() => setHelpOpen(false)} schema={schema} />}
    </main>
  );
}

function DownloadJson({ name, segments, label }: { name: string; segments: Segment[]; label: string }) {
  const href = useMemo(() => `data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify({ segments }, null, 2))}`, [segments]);
  return (
    <a className="button button-small button-quiet" href={href} download={name} data-testid="download-draft">
      {label}
    </a>
  );
}

interface SegmentListProps {
  segments: Segment[];
  selectedId: string | null;
  types: string[];
  fieldErrors: Record<string, Record<string, string[]>>;
  rate: FrameRate;
  onSelect: (segment: Segment) => void;
}

const SegmentList = memo(function SegmentList({ segments, selectedId, types, fieldErrors, rate, onSelect }: SegmentListProps) {
  return (
    <section className="panel segment-panel" aria-label="Segments">
      <h2 className="panel-title">Segments</h2>
      {segments.length === 0 ? (
        <p className="muted segment-empty">
          No segments yet. Go to the first frame of an expression and press <kbd>i</kbd>, then to its last frame and press <kbd>o</kbd>.
        </p>
      ) : (
        <table className="table segment-table" data-testid="segment-list">
          <thead>
            <tr>
              <th>#</th>
              <th>Type</th>
              <th className="numeric">Onset</th>
              <th className="numeric">Apex</th>
              <th className="numeric">Offset</th>
              <th className="numeric">Frames</th>
              <th>Emotion</th>
              <th>AUs</th>
            </tr>
          </thead>
          <tbody>
            {segments.map((segment, index) => {
              const invalid = Boolean(fieldErrors[segment.client_id]);
              const classes = ["segment-row"];
              if (segment.client_id === selectedId) classes.push("segment-row-selected");
              if (invalid) classes.push("segment-row-invalid");
              return (
                <tr
                  key={segment.client_id}
                  className={classes.join(" ")}
                  data-testid="segment-row"
                  data-client-id={segment.client_id}
                  aria-selected={segment.client_id === selectedId}
                  aria-invalid={invalid || undefined}
                  onClick={() => onSelect(segment)}
                >
                  <td className="mono">{index + 1}</td>
                  <td>
                    <span className="type-chip" style={{ background: typeColour(types, segment.type) }} />
                    {segment.type || <span className="field-error">none</span>}
                  </td>
                  <td className="numeric mono" title={formatTimecodeMs(segment.onset, rate)}>
                    {segment.onset}
                  </td>
                  <td className="numeric mono">{segment.apex ?? "—"}</td>
                  <td className="numeric mono" title={formatTimecodeMs(segment.offset, rate)}>
                    {segment.offset}
                  </td>
                  <td className="numeric mono">{segment.offset - segment.onset + 1}</td>
                  <td>{segment.emotion || <span className="muted">—</span>}</td>
                  <td className="segment-aus">{segment.aus.join(" ") || <span className="muted">—</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
});

interface LabelPanelProps {
  segment: Segment | null;
  schema: LabelSchema;
  readOnly: boolean;
  errors: Record<string, string[]> | undefined;
  generalError: string | null;
  dispatch: (action: Parameters<typeof editorReducer>[1]) => void;
  onApexHere: () => void;
  onDone: () => void;
  /** Where the segment came from, in assisted passes. */
  provenance?: Provenance | null;
}

const PROVENANCE_TEXT: Record<Provenance, string> = {
  manual: "Drawn by hand",
  accepted: "Accepted proposal",
  edited: "Edited proposal",
};

const LabelPanel = memo(function LabelPanel({ segment, schema, readOnly, errors, generalError, dispatch, onApexHere, onDone, provenance = null }: LabelPanelProps) {
  if (!segment) {
    return (
      <section className="panel label-panel" aria-label="Labels">
        <h2 className="panel-title">Labels</h2>
        <p className="muted">Select a segment (click it, or <kbd>Tab</kbd>) or start one with <kbd>i</kbd>.</p>
        {generalError && <p className="field-error">{generalError}</p>}
      </section>
    );
  }
  const messages = errors ? Object.entries(errors).flatMap(([field, list]) => list.map((message) => `${field}: ${message}`)) : [];
  const aus = new Map(segment.aus.map((value) => [splitAu(value).code, splitAu(value).intensity]));
  const setAu = (code: string, on: boolean, intensity = "") => {
    const next = new Map(aus);
    if (on) next.set(code, intensity);
    else next.delete(code);
    dispatch({ kind: "set-aus", aus: schema.action_units.filter((unit) => next.has(unit)).map((unit) => `${unit}${next.get(unit) ?? ""}`) });
  };

  return (
    <section className="panel label-panel" aria-label="Labels" data-testid="label-panel">
      <h2 className="panel-title">
        Segment <span className="mono">{segment.onset}–{segment.offset}</span>
      </h2>
      {provenance && (
        <p className="muted segment-provenance" data-testid="segment-provenance" data-source={provenance}>
          {PROVENANCE_TEXT[provenance]}
          {provenance === "edited" && " (trimmed or retyped)"}
        </p>
      )}
      {messages.length > 0 && (
        <div className="alert alert-error label-errors" role="alert" data-testid="label-errors">
          <ul>
            {messages.map((message) => (
              <li key={message}>{message}</li>
            ))}
          </ul>
        </div>
      )}
      <fieldset className="label-group" disabled={readOnly}>
        <legend>Type</legend>
        <div className="label-radios">
          {schema.expression_types.map((type) => (
            <label key={type.name} className="label-radio">
              <input
                type="radio"
                name="segment-type"
                data-testid={`label-type-${type.name}`}
                checked={segment.type === type.name}
                onChange={() => {
                  dispatch({ kind: "set-type", type: type.name });
                  onDone();
                }}
              />
              {type.name}
              {(type.name === "macro" || type.name === "micro") && <kbd>{type.name[1] === "a" ? "m" : "u"}</kbd>}
            </label>
          ))}
        </div>
      </fieldset>
      {schema.emotions.length > 0 && (
        <div className="field">
          <label htmlFor="label-emotion">Emotion</label>
          <select
            id="label-emotion"
            data-testid="label-emotion"
            value={segment.emotion}
            disabled={readOnly}
            onChange={(event) => {
              dispatch({ kind: "set-emotion", emotion: event.target.value });
              onDone();
            }}
          >
            <option value="">— none —</option>
            {schema.emotions.map((emotion, index) => (
              <option key={emotion.name} value={emotion.name}>
                {index < 9 ? `${index + 1} · ` : ""}
                {emotion.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {schema.apex && (
        <div className="field label-apex">
          <span className="label-caption">Apex</span>
          <span className="mono">{segment.apex ?? "—"}</span>
          <button type="button" className="button button-small" disabled={readOnly} onClick={onApexHere} title="Set the apex at the playhead (a)">
            At playhead <kbd>a</kbd>
          </button>
          {segment.apex !== null && (
            <button type="button" className="button button-small button-quiet" disabled={readOnly} onClick={() => dispatch({ kind: "set-apex", frame: null })}>
              Clear
            </button>
          )}
        </div>
      )}
      {schema.action_units.length > 0 && (
        <fieldset className="label-group" disabled={readOnly}>
          <legend>Action units</legend>
          <div className="au-grid">
            {schema.action_units.map((unit) => (
              <div key={unit} className="au-item">
                <label>
                  <input type="checkbox" data-testid={`label-au-${unit}`} checked={aus.has(unit)} onChange={(event) => setAu(unit, event.target.checked)} />
                  {unit}
                </label>
                {schema.au_intensity && aus.has(unit) && (
                  <select
                    aria-label={`${unit} intensity`}
                    value={aus.get(unit) ?? ""}
                    onChange={(event) => setAu(unit, true, event.target.value)}
                  >
                    <option value="">·</option>
                    {AU_INTENSITIES.map((level) => (
                      <option key={level} value={level}>
                        {level}
                      </option>
                    ))}
                  </select>
                )}
              </div>
            ))}
          </div>
        </fieldset>
      )}
      {schema.note && (
        <div className="field">
          <label htmlFor="label-note">Note</label>
          <NoteField value={segment.note} readOnly={readOnly} onCommit={(note) => dispatch({ kind: "set-note", note })} key={segment.client_id} />
        </div>
      )}
    </section>
  );
});

/** A note is committed when the field loses focus, not at every keystroke (one undo step). */
function NoteField({ value, readOnly, onCommit }: { value: string; readOnly: boolean; onCommit: (note: string) => void }) {
  const [text, setText] = useState(value);
  useEffect(() => setText(value), [value]);
  return (
    <textarea
      id="label-note"
      data-testid="label-note"
      rows={2}
      value={text}
      disabled={readOnly}
      onChange={(event) => setText(event.target.value)}
      onBlur={() => {
        if (text !== value) onCommit(text);
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") (event.target as HTMLTextAreaElement).blur();
      }}
    />
  );
}

interface SubmitDialogProps {
  problems: ReturnType<typeof findProblems>;
  unsaved: boolean;
  count: number;
  submitting: boolean;
  error: string | null;
  onCancel: () => void;
  onConfirm: () => void;
  onSaveNow: () => void;
}

function SubmitDialog({ problems, unsaved, count, submitting, error, onCancel, onConfirm, onSaveNow }: SubmitDialogProps) {
  const blocking = problems.some((problem) => problem.blocking) || unsaved;
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="submit-title" data-testid="submit-dialog">
      <div className="overlay-card">
        <h2 id="submit-title">Submit this pass?</h2>
        <p>
          {count} segment{count === 1 ? "" : "s"}. Submitting locks the pass; only a curator can reopen it.
        </p>
        {unsaved && (
          <p className="field-error">
            Some changes are not saved yet.{" "}
            <button type="button" className="button button-small" onClick={onSaveNow}>
              Save now
            </button>
          </p>
        )}
        {problems.length > 0 ? (
          <ul className="problem-list" data-testid="submit-problems">
            {problems.map((problem, index) => (
              <li key={index} className={problem.blocking ? "problem-blocking" : "problem-warning"}>
                {problem.blocking ? "Fix: " : "Check: "}
                {problem.message}
              </li>
            ))}
          </ul>
        ) : (
          <p className="muted">No problems found.</p>
        )}
        {error && <p className="field-error">{error}</p>}
        <div className="overlay-actions">
          <button type="button" className="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="button" className="button button-primary" data-testid="submit-confirm" disabled={blocking || submitting} onClick={onConfirm}>
            {submitting ? "Submitting…" : "Submit and lock"}
          </button>
        </div>
      </div>
    </div>
  );
}

const HELP: readonly [string, string][] = [
  ["Space", "Play or pause"],
  ["← →", "Previous or next frame"],
  ["Shift + ← →", "Ten frames back or forward"],
  ["Home End", "First or last frame"],
  ["i", "Set onset at the playhead (starts a segment if none is selected)"],
  ["o", "Set offset at the playhead"],
  ["a", "Set apex at the playhead"],
  ["Enter / n", "Finish the segment (deselect)"],
  ["g / Shift+G", "Next or previous model proposal (assisted passes)"],
  ["Enter", "Accept the current proposal as a segment (assisted passes)"],
  ["x", "Reject the current proposal (assisted passes)"],
  ["p / l", "Play the selected segment once / in a loop"],
  ["Tab / Shift+Tab", "Next or previous segment"],
  ["[ ]", "Go to the selected segment's onset or offset"],
  ["1 – 9", "Set the emotion (in the schema's order)"],
  ["m / u", "Type macro / micro"],
  ["Delete", "Delete the selected segment"],
  ["Ctrl+Z", "Undo"],
  ["Ctrl+Shift+Z / Ctrl+Y", "Redo"],
  ["+ −  (Ctrl+wheel)", "Zoom the timeline"],
  ["Escape", "Deselect, close"],
  ["?", "Show or hide this help"],
];

interface ProposalPanelProps {
  load: ProposalsLoad | null;
  left: number;
  total: number;
  current: Proposal | null;
  readOnly: boolean;
  onAccept: (proposal: Proposal) => void;
  onReject: (proposal: Proposal) => void;
  onNext: () => void;
}

/** The proposals of an assisted pass: how many are left, and the current one with its actions. */
function ProposalPanel({ load, left, total, current, readOnly, onAccept, onReject, onNext }: ProposalPanelProps) {
  let body: ReactNode;
  if (!load || load.state === "loading") {
    body = (
      <p className="muted" role="status">
        Loading the model's proposals…
      </p>
    );
  } else if (load.state === "error") {
    body = <p className="field-error">{load.message} You can still annotate by hand.</p>;
  } else if (total === 0) {
    body = (
      <p className="muted" data-testid="proposals-empty">
        The model proposed nothing for this video. Annotate it by hand as usual: <kbd>i</kbd> at the onset, <kbd>o</kbd> at the offset.
      </p>
    );
  } else {
    body = (
      <>
        <p data-testid="proposals-left" data-count={left}>
          {left === 0 ? "All proposals reviewed." : `${left} proposal${left === 1 ? "" : "s"} left`}
          {left > 0 && <span className="muted"> of {total}</span>}
        </p>
        {current ? (
          <div className="proposal-current" data-testid="proposal-current" data-proposal-id={current.id}>
            <p>
              <strong>{current.type}</strong> <span className="mono">{current.onset}–{current.offset}</span>{" "}
              <span className="muted">
                · score {current.score.toFixed(2)}
                {current.model_name ? ` · ${current.model_name}` : ""}
              </span>
            </p>
            <div className="proposal-actions">
              <button type="button" className="button button-small button-primary" data-testid="proposal-accept" disabled={readOnly} onClick={() => onAccept(current)} title="Accept as a segment (Enter)">
                Accept <kbd>Enter</kbd>
              </button>{" "}
              <button type="button" className="button button-small" data-testid="proposal-reject" disabled={readOnly} onClick={() => onReject(current)} title="Reject (x)">
                Reject <kbd>x</kbd>
              </button>
            </div>
            <p className="muted">Accept, then trim its edges with <kbd>i</kbd> / <kbd>o</kbd> or by dragging them.</p>
          </div>
        ) : (
          left > 0 && (
            <p className="muted">
              <button type="button" className="button button-small button-quiet" data-testid="proposal-next" onClick={onNext}>
                Next proposal <kbd>g</kbd>
              </button>{" "}
              or click a hatched interval under the segments.
            </p>
          )
        )}
      </>
    );
  }
  return (
    <section className="panel proposal-panel" aria-label="Model proposals" data-testid="proposal-panel">
      <h2 className="panel-title">Model proposals</h2>
      {body}
    </section>
  );
}

function HelpOverlay({ onClose, schema }: { onClose: () => void; schema: LabelSchema }) {
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="help-title" data-testid="help-overlay" onClick={onClose}>
      <div className="overlay-card help-card" onClick={(event) => event.stopPropagation()}>
        <h2 id="help-title">Keyboard shortcuts</h2>
        <dl className="help-list">
          {HELP.map(([keys, action]) => (
            <div key={keys}>
              <dt>
                <kbd>{keys}</kbd>
              </dt>
              <dd>{action}</dd>
            </div>
          ))}
        </dl>
        {schema.emotions.length > 0 && (
          <p className="muted help-emotions">
            Emotions:{" "}
            {schema.emotions.slice(0, 9).map((emotion, index) => (
              <span key={emotion.name}>
                <kbd>{index + 1}</kbd> {emotion.name}{" "}
              </span>
            ))}
          </p>
        )}
        <p className="muted">Shortcuts do nothing while you type in a field.</p>
        <div className="overlay-actions">
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
