import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from "react";
import {
  adjudicateConsensus,
  buildConsensus,
  getProject,
  getVideo,
  getVideoAgreement,
  getVideoConsensus,
  listVideoPasses,
  type Video,
} from "../api/endpoints";
import { ApiError } from "../api/errors";
import { parseLabelSchema } from "../annotate/labelSchema";
import { Link } from "../components/Link";
import { PageState } from "../components/PageState";
import { curateAnnotatorPath, curatePath, projectPath } from "../router";
import { clampFrame, formatFps, frameRateOf, seekTimeForFrame, type FrameRate } from "../video/frames";
import { useFrameClock } from "../video/useFrameClock";
import { FrameReadout, GoToFrame, isTextEntry, SpeedSelect, ProxyVideo } from "../video/VideoPlayer";
import { createDraft, draftReducer, isDirty, isDisputed, ordered, selectedDraft, toPayload, unmatchedPassSegments, type DraftSegment } from "./adjudicate";
import { AgreementPanel } from "./AgreementPanel";
import { ReviewTimeline } from "./ReviewTimeline";
import type { PassSegment, VideoAgreementDetail, VideoConsensus, VideoPass } from "./types";

interface ReviewData {
  video: Video;
  rate: FrameRate;
  types: string[];
  passes: VideoPass[];
  consensus: VideoConsensus | null;
  agreement: VideoAgreementDetail | null;
}

type Loaded = { state: "loading" } | { state: "ready"; data: ReviewData } | { state: "not-found" } | { state: "error"; message: string };

/** The latest consensus of the video, or null when none has been built (404). */
async function latestConsensus(videoId: number): Promise<VideoConsensus | null> {
  try {
    return await getVideoConsensus(videoId);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

export function ReviewPage({ slug, videoId }: { slug: string; videoId: number }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });

  useEffect(() => {
    let active = true;
    (async () => {
      try {
        const [video, project, passes, agreement] = await Promise.all([getVideo(videoId), getProject(slug), listVideoPasses(videoId), getVideoAgreement(videoId)]);
        const consensus = await latestConsensus(videoId);
        if (!active) return;
        const rate = frameRateOf(video);
        if (!rate || !video.n_frames) {
          setLoaded({ state: "error", message: "This video is not ready to review." });
          return;
        }
        const types = parseLabelSchema(project.label_schema).expression_types.map((type) => type.name);
        setLoaded({ state: "ready", data: { video, rate, types, passes: [...passes].sort((a, b) => a.pass_index - b.pass_index), consensus, agreement } });
      } catch (error) {
        if (!active) return;
        if (error instanceof ApiError && error.status === 404) setLoaded({ state: "not-found" });
        else setLoaded({ state: "error", message: error instanceof ApiError ? error.detail : "Could not load the video's passes." });
      }
    })();
    return () => {
      active = false;
    };
  }, [slug, videoId]);

  useEffect(() => {
    if (loaded.state === "ready") document.title = `${loaded.data.video.original_name || `Video ${videoId}`} · Review · Spotlab`;
  }, [loaded, videoId]);

  if (loaded.state !== "ready") {
    return (
      <PageState
        loaded={loaded}
        loading="Loading the passes…"
        notFoundTitle="Video not found"
        notFound={
          <p>No such video, or you are not one of its project's owners or curators.</p>
        }
        wide
      />
    );
  }
  return <Review slug={slug} data={loaded.data} />;
}

type SaveState =
  | { state: "idle" }
  | { state: "saving" }
  | { state: "saved"; version: number }
  | { state: "conflict"; message: string }
  | { state: "error"; message: string };

function newKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return `n-${crypto.randomUUID()}`;
  return `n-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** The keys of the review page, for the help panel. */
export const REVIEW_KEYS: readonly [string, string][] = [
  ["j / k", "Previous / next consensus segment (also Alt+← / Alt+→)"],
  ["Space", "Play the selected segment (from its onset, pausing at its offset); pause"],
  ["← →", "Previous or next frame (Shift: ten)"],
  ["Home End", "First or last frame"],
  ["a", "Accept: clear the segment's needs-curator flag"],
  ["x / Delete", "Reject: remove the segment from the consensus"],
  ["[ ]", "Set the segment's onset / offset to the current frame"],
  ["n", "New consensus segment at the current frame (or from the pass segment picked with Shift+click)"],
  ["t", "Cycle the segment's type"],
  ["Enter / Ctrl+S", "Save the draft as a new consensus version"],
  ["Ctrl+Z", "Undo"],
  ["Escape", "Deselect, close"],
  ["?", "Show or hide this help"],
];

function Review({ slug, data }: { slug: string; data: ReviewData }) {
  const { video, rate, types, passes } = data;
  const nFrames = video.n_frames ?? 1;
  const last = Math.max(0, nFrames - 1);
  const [consensus, setConsensus] = useState<VideoConsensus | null>(data.consensus);
  const [draft, dispatch] = useReducer(draftReducer, null, () => createDraft(data.consensus?.segments ?? [], nFrames, types));
  const [picked, setPicked] = useState<PassSegment | null>(null);
  const [save, setSave] = useState<SaveState>({ state: "idle" });
  const [note, setNote] = useState("");
  const [helpOpen, setHelpOpen] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [building, setBuilding] = useState(false);
  const [buildError, setBuildError] = useState<string | null>(null);

  const videoRef = useRef<HTMLVideoElement>(null);
  const regionRef = useRef<HTMLDivElement>(null);
  const clock = useFrameClock(videoRef, rate, nFrames);
  const { frame, showFrame, step, playing, togglePlay, targetFrame } = clock;
  const submittedPasses = useMemo(() => passes.filter((pass) => pass.status === "submitted").length, [passes]);
  const selected = selectedDraft(draft);
  const dirty = isDirty(draft);

  // -- playing a segment: seek to its onset, pause at its offset ------------------------------
  const range = useRef<{ onset: number; offset: number } | null>(null);
  useEffect(() => {
    const current = range.current;
    const element = videoRef.current;
    if (!current || !element || frame === null) return;
    if (!playing) {
      if (element.paused && !element.seeking && frame >= current.offset) range.current = null;
      return;
    }
    if (frame >= current.offset) {
      range.current = null;
      showFrame(current.offset);
    }
  }, [frame, playing, showFrame]);

  const playRange = useCallback(
    (segment: { onset: number; offset: number }) => {
      const element = videoRef.current;
      if (!element) return;
      range.current = { onset: segment.onset, offset: segment.offset };
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

  // -- saving ---------------------------------------------------------------------------------
  const saveDraft = useCallback(async () => {
    if (!consensus) return;
    setSave({ state: "saving" });
    try {
      const result = await adjudicateConsensus(video.id, { base_version: consensus.version, segments: toPayload(draft.segments), note });
      const fresh = await latestConsensus(video.id);
      if (fresh) {
        setConsensus(fresh);
        dispatch({ kind: "load", segments: fresh.segments });
      }
      setNote("");
      setSave({ state: "saved", version: result.version });
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        setSave({ state: "conflict", message: error.detail });
      } else {
        const fields = error instanceof ApiError ? Object.values(error.fields).flat() : [];
        const detail = error instanceof ApiError ? error.detail : "Could not save the consensus.";
        setSave({ state: "error", message: [detail, ...fields.filter((message) => message !== detail)].join(" ") });
      }
    }
  }, [consensus, draft.segments, note, video.id]);

  /** After a conflict: the latest version replaces the draft. */
  async function reloadLatest() {
    try {
      const fresh = await latestConsensus(video.id);
      setConsensus(fresh);
      dispatch({ kind: "load", segments: fresh?.segments ?? [] });
      setSave({ state: "idle" });
    } catch (error) {
      setSave({ state: "error", message: error instanceof ApiError ? error.detail : "Could not load the latest consensus." });
    }
  }

  /** After a conflict: keep the draft, and save it on top of the latest version next time. */
  async function keepDraftOnLatest() {
    try {
      const fresh = await latestConsensus(video.id);
      if (fresh) setConsensus(fresh);
      setSave({ state: "idle" });
    } catch (error) {
      setSave({ state: "error", message: error instanceof ApiError ? error.detail : "Could not load the latest consensus." });
    }
  }

  async function build() {
    setBuilding(true);
    setBuildError(null);
    try {
      await buildConsensus(slug);
      const fresh = await latestConsensus(video.id);
      setConsensus(fresh);
      dispatch({ kind: "load", segments: fresh?.segments ?? [] });
    } catch (error) {
      setBuildError(error instanceof ApiError ? error.detail : "Could not build the consensus.");
    } finally {
      setBuilding(false);
    }
  }

  // -- selection ------------------------------------------------------------------------------
  const selectSegment = useCallback(
    (segment: DraftSegment | null) => {
      dispatch({ kind: "select", key: segment?.key ?? null });
      if (segment) showFrame(segment.onset);
    },
    [showFrame],
  );

  const selectNext = useCallback(
    (direction: 1 | -1) => {
      const next = draftReducer(draftRef.current, { kind: "select-next", direction });
      selectSegment(selectedDraft(next));
    },
    [selectSegment],
  );

  // -- the keyboard ---------------------------------------------------------------------------
  const draftRef = useRef(draft);
  draftRef.current = draft;
  const keyState = useRef({ selected, helpOpen, picked, playing, canSave: consensus !== null && save.state !== "saving" });
  keyState.current = { selected, helpOpen, picked, playing, canSave: consensus !== null && save.state !== "saving" };
  const actions = useRef({ step, showFrame, togglePlay, playRange, selectNext, saveDraft, targetFrame });
  actions.current = { step, showFrame, togglePlay, playRange, selectNext, saveDraft, targetFrame };

  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || isTextEntry(event.target)) return;
      const s = keyState.current;
      const a = actions.current;
      const key = event.key;
      const playhead = () => a.targetFrame() ?? 0;
      if (event.ctrlKey || event.metaKey) {
        const lower = key.toLowerCase();
        if (lower === "s") {
          if (s.canSave) void a.saveDraft();
        } else if (lower === "z") dispatch({ kind: "undo" });
        else return;
        event.preventDefault();
        return;
      }
      if (event.altKey) {
        if (key === "ArrowLeft") a.selectNext(-1);
        else if (key === "ArrowRight") a.selectNext(1);
        else return;
        event.preventDefault();
        return;
      }
      switch (key) {
        case " ":
          if (event.repeat) break;
          if (s.playing) a.togglePlay();
          else if (s.selected) a.playRange(s.selected);
          else a.togglePlay();
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
        case "j":
          a.selectNext(-1);
          break;
        case "k":
          a.selectNext(1);
          break;
        case "a":
          dispatch({ kind: "accept" });
          break;
        case "x":
        case "Delete":
        case "Backspace":
          dispatch({ kind: "reject" });
          break;
        case "[":
          dispatch({ kind: "set-onset", frame: playhead() });
          break;
        case "]":
          dispatch({ kind: "set-offset", frame: playhead() });
          break;
        case "n":
          dispatch({ kind: "add", key: newKey(), frame: playhead(), from: s.picked, nPasses: submittedPasses });
          setPicked(null);
          break;
        case "t":
          dispatch({ kind: "cycle-type" });
          break;
        case "Enter":
          if (s.canSave) void a.saveDraft();
          break;
        case "?":
          setHelpOpen((open) => !open);
          break;
        case "Escape":
          if (s.helpOpen) setHelpOpen(false);
          else if (s.picked) setPicked(null);
          else dispatch({ kind: "select", key: null });
          break;
        default:
          return;
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
  }, [last, submittedPasses]);

  const unmatched = useMemo(() => unmatchedPassSegments(passes, draft.segments), [passes, draft.segments]);
  const flaggedLeft = draft.segments.filter((segment) => segment.needs_curator).length;
  const aspect = video.width && video.height ? video.width / video.height : 16 / 9;
  const focusPlayer = () => regionRef.current?.focus({ preventScroll: true });
  const name = video.original_name || `Video ${video.id}`;
  const draftState = save.state === "saving" || save.state === "conflict" || save.state === "error" ? save.state : dirty ? "dirty" : save.state === "saved" ? "saved" : "clean";

  return (
    <main className="page page-wide annotate curate-review" data-testid="curate-review">
      <div className="annotate-head">
        <div>
          <nav className="breadcrumbs" aria-label="Breadcrumbs">
            <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span> <Link to={projectPath(slug)}>{slug}</Link>{" "}
            <span aria-hidden="true">/</span> <Link to={curatePath(slug)}>Curation</Link> <span aria-hidden="true">/</span> <span>Review</span>
          </nav>
          <h1 className="annotate-title">{name}</h1>
          <p className="muted annotate-meta">
            {formatFps(rate)} fps · frames 0–{last} · {submittedPasses} of {passes.length} passes submitted ·{" "}
            {consensus ? (
              <span data-testid="consensus-version">
                consensus v{consensus.version} ({consensus.method})
              </span>
            ) : (
              "no consensus yet"
            )}
          </p>
        </div>
        <div className="annotate-actions">
          <span className={`save-state save-state-${draftState === "dirty" ? "unsaved" : draftState === "error" ? "conflict" : draftState === "clean" ? "saved" : draftState}`} data-testid="draft-state" data-state={draftState} role="status">
            <span className="save-dot" aria-hidden="true" />
            {DRAFT_LABELS[draftState]}
          </span>
          <button type="button" className="button button-small button-quiet" onClick={() => setHelpOpen(true)} title="Keyboard shortcuts (?)">
            Shortcuts <kbd>?</kbd>
          </button>
          <button type="button" className="button button-primary" data-testid="save-consensus" disabled={!consensus || save.state === "saving"} onClick={() => void saveDraft()} title="Save as a new version (Enter)">
            Save (Enter)
          </button>
        </div>
      </div>

      {save.state === "saved" && (
        <div className="alert alert-success annotate-banner" role="status" data-testid="save-result">
          Saved as consensus version {save.version}.
        </div>
      )}
      {save.state === "conflict" && (
        <section className="conflict-panel" data-testid="save-conflict" aria-label="Conflict">
          <h2>Someone else changed the consensus</h2>
          <p>
            {save.message} Your draft is still here on screen and has not been saved. Reload the latest version (your draft is dropped) or keep your draft and
            save it on top of the latest version.
          </p>
          <div className="conflict-actions">
            <button type="button" className="button button-primary" data-testid="reload-consensus" onClick={() => void reloadLatest()}>
              Reload the latest version
            </button>
            <button type="button" className="button" data-testid="keep-draft" onClick={() => void keepDraftOnLatest()}>
              Keep my draft
            </button>
          </div>
        </section>
      )}
      {save.state === "error" && (
        <div className="alert alert-error annotate-banner" role="alert" data-testid="save-error">
          {save.message}
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
                <button type="button" className="button button-small" title="Previous frame (←)" onClick={() => step(-1)}>
                  −1
                </button>
                <button type="button" className="button button-small button-primary player-play" data-testid="play-pause" onClick={togglePlay} title="Play or pause (Space)">
                  {playing ? "Pause" : "Play"}
                </button>
                <button type="button" className="button button-small" title="Next frame (→)" onClick={() => step(1)}>
                  +1
                </button>
              </div>
              <FrameReadout frame={frame} last={last} rate={rate} />
              <GoToFrame
                id={`goto-review-${video.id}`}
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
          </div>

          <ReviewTimeline
            nFrames={nFrames}
            frame={frame}
            passes={passes}
            consensus={draft.segments}
            consensusLabel={consensus ? `Consensus v${consensus.version}` : "Consensus"}
            selectedKey={draft.selectedKey}
            pickedId={picked?.id ?? null}
            unmatched={unmatched}
            types={types}
            onSeek={(n) => {
              showFrame(n);
              focusPlayer();
            }}
            onConsensusClick={(segment) => {
              dispatch({ kind: "select", key: segment.key });
              playRange(segment);
              focusPlayer();
            }}
            onPassClick={(segment, shift) => {
              if (shift) setPicked((current) => (current?.id === segment.id ? null : segment));
              else playRange(segment);
              focusPlayer();
            }}
          />
          <p className="muted review-legend">
            <span className="review-swatch review-swatch-disputed" /> disputed consensus segment (flagged, or not marked by every pass){" "}
            <span className="review-swatch review-swatch-unmatched" /> pass segment in no consensus segment
            {picked && (
              <span data-testid="picked-segment">
                {" "}
                · picked {picked.onset}–{picked.offset}: press <kbd>n</kbd> to add it
              </span>
            )}
          </p>

          {!consensus ? (
            <section className="panel empty-state" data-testid="no-consensus">
              <p>No consensus has been built for this project yet.</p>
              <button type="button" className="button button-primary" data-testid="review-build-consensus" disabled={building} onClick={() => void build()}>
                {building ? "Building…" : "Build consensus"}
              </button>
              {buildError && <p className="field-error">{buildError}</p>}
            </section>
          ) : (
            <ConsensusTable segments={draft.segments} selectedKey={draft.selectedKey} flaggedLeft={flaggedLeft} onSelect={(segment) => selectSegment(segment)} />
          )}
          {consensus && (
            <div className="field review-note">
              <label htmlFor="review-note">Note for this version (optional)</label>
              <input id="review-note" type="text" maxLength={500} value={note} onChange={(event) => setNote(event.target.value)} onKeyDown={(event) => {
                if (event.key === "Escape") (event.target as HTMLInputElement).blur();
              }} />
            </div>
          )}
        </div>

        <aside className="annotate-side">
          <SelectedPanel segment={selected} />
          <AgreementPanel agreement={data.agreement} annotatorHref={(username) => curateAnnotatorPath(slug, username)} />
        </aside>
      </div>

      {helpOpen && <HelpPanel onClose={() => setHelpOpen(false)} />}
    </main>
  );
}

const DRAFT_LABELS: Record<string, string> = {
  clean: "No changes",
  dirty: "Unsaved draft",
  saving: "Saving…",
  saved: "Saved",
  conflict: "Conflict",
  error: "Not saved",
};

function ConsensusTable({ segments, selectedKey, flaggedLeft, onSelect }: { segments: readonly DraftSegment[]; selectedKey: string | null; flaggedLeft: number; onSelect: (segment: DraftSegment) => void }) {
  const rows = ordered(segments);
  return (
    <section className="panel segment-panel" aria-label="Consensus segments">
      <h2 className="panel-title">
        Consensus draft · {rows.length} segment{rows.length === 1 ? "" : "s"}
        {flaggedLeft > 0 && (
          <span className="muted" data-testid="flagged-left">
            {" "}
            · {flaggedLeft} still flagged
          </span>
        )}
      </h2>
      {rows.length === 0 ? (
        <p className="muted segment-empty">No consensus segments for this video. Press <kbd>n</kbd> to add one at the current frame.</p>
      ) : (
        <table className="table segment-table" data-testid="consensus-list">
          <thead>
            <tr>
              <th>#</th>
              <th>Type</th>
              <th className="numeric">Onset</th>
              <th className="numeric">Apex</th>
              <th className="numeric">Offset</th>
              <th className="numeric">Support</th>
              <th>Emotion</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((segment, index) => {
              const classes = ["segment-row"];
              if (segment.key === selectedKey) classes.push("segment-row-selected");
              if (isDisputed(segment)) classes.push("review-row-disputed");
              return (
                <tr key={segment.key} className={classes.join(" ")} data-testid="consensus-row" data-key={segment.key} aria-selected={segment.key === selectedKey} onClick={() => onSelect(segment)}>
                  <td className="mono">{index + 1}</td>
                  <td>{segment.type || <span className="field-error">none</span>}</td>
                  <td className="numeric mono">{segment.onset}</td>
                  <td className="numeric mono">{segment.apex ?? "—"}</td>
                  <td className="numeric mono">{segment.offset}</td>
                  <td className="numeric mono">
                    {segment.support}/{segment.n_passes}
                  </td>
                  <td>{segment.emotion || <span className="muted">—</span>}</td>
                  <td>{segment.needs_curator ? <span className="badge badge-failed">needs a curator</span> : isDisputed(segment) ? <span className="muted">partial support</span> : <span className="muted">agreed</span>}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function SelectedPanel({ segment }: { segment: DraftSegment | null }) {
  if (!segment) {
    return (
      <section className="panel" aria-label="Selected segment">
        <h2 className="panel-title">Selected segment</h2>
        <p className="muted">
          Select a consensus segment with <kbd>j</kbd> / <kbd>k</kbd> or a click.
        </p>
      </section>
    );
  }
  return (
    <section className="panel" aria-label="Selected segment" data-testid="selected-segment" data-key={segment.key}>
      <h2 className="panel-title">
        Segment <span className="mono">{segment.onset}–{segment.offset}</span>
      </h2>
      <dl className="review-facts">
        <dt>Type</dt>
        <dd>{segment.type || "—"}</dd>
        <dt>Emotion</dt>
        <dd>{segment.emotion || "—"}</dd>
        <dt>Apex</dt>
        <dd className="mono">{segment.apex ?? "—"}</dd>
        <dt>Frames</dt>
        <dd className="mono">{segment.offset - segment.onset + 1}</dd>
        <dt>Support</dt>
        <dd className="mono">
          {segment.support}/{segment.n_passes}
        </dd>
        <dt>AUs</dt>
        <dd>{segment.aus.join(" ") || "—"}</dd>
        {segment.needs_curator && (
          <>
            <dt>Flagged</dt>
            <dd className="field-error" data-testid="selected-reasons">
              {segment.reasons.join(", ") || "needs a curator"} · <kbd>a</kbd> accepts
            </dd>
          </>
        )}
      </dl>
    </section>
  );
}

function HelpPanel({ onClose }: { onClose: () => void }) {
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="review-help-title" data-testid="help-overlay" onClick={onClose}>
      <div className="overlay-card help-card" onClick={(event) => event.stopPropagation()}>
        <h2 id="review-help-title">Adjudication keys</h2>
        <dl className="help-list">
          {REVIEW_KEYS.map(([keys, action]) => (
            <div key={keys}>
              <dt>
                <kbd>{keys}</kbd>
              </dt>
              <dd>{action}</dd>
            </div>
          ))}
        </dl>
        <p className="muted">Click a segment to play it; Shift+click a pass segment to pick it for <kbd>n</kbd>. Keys do nothing while you type in a field.</p>
        <div className="overlay-actions">
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      </div>
    </div>
  );
}
