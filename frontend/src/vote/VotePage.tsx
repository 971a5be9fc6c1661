/**
 * The voting session of a clip-classification project (the DFEW protocol): the caller's open clip
 * passes one after the other, each clip looping muted, one vote per clip from the keyboard.
 *
 * Voting is optimistic: the key casts the vote and the next clip is on screen at once, while the
 * vote is saved in the background. A vote that does not reach the server stays on the page, with
 * its error and a retry, until it does; nothing is dropped silently.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from "react";
import { getProject, listMyAssignments, UNUSABLE, videoUrls, type AssignmentSummary, type Project, type Vote, type VoteCaption } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { parseLabelSchema } from "../annotate/labelSchema";
import { Link } from "../components/Link";
import { PageState } from "../components/PageState";
import { projectPath } from "../router";
import { isTextEntry } from "../video/VideoPlayer";
import { captionToSend, deliverVote, keyAction, MAX_CLASS_KEYS, MAX_INTENSITY, planSession, sameVote, stepIntensity, type KeyAction, type SessionPlan } from "./session";
import "./vote.css";

type Loaded =
  | { state: "loading" }
  | { state: "ready"; project: Project; plan: SessionPlan }
  | { state: "not-found" }
  | { state: "error"; message: string };

export function VotePage({ slug }: { slug: string }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let active = true;
    Promise.all([getProject(slug), listMyAssignments()])
      .then(([project, passes]) => {
        if (active) setLoaded({ state: "ready", project, plan: planSession(passes, slug) });
      })
      .catch((error: unknown) => {
        if (!active) return;
        if (error instanceof ApiError && error.status === 404) setLoaded({ state: "not-found" });
        else setLoaded({ state: "error", message: error instanceof ApiError ? error.detail : "Could not load your clips." });
      });
    return () => {
      active = false;
    };
  }, [slug, reloads]);

  useEffect(() => {
    document.title = `Vote · ${slug} · Spotlab`;
  }, [slug]);

  if (loaded.state !== "ready") {
    return (
      <PageState
        loaded={loaded}
        loading="Loading your clips…"
        notFoundTitle="Project not found"
        notFound={
          <p>No such project, or you are not a member.</p>
        }
        retry={() => setReloads((n) => n + 1)}
      />
    );
  }
  return <VoteSession project={loaded.project} plan={loaded.plan} />;
}

/** A vote cast in this session and where it stands with the server. */
interface VoteRecord {
  vote: Vote;
  state: "saving" | "saved" | "failed";
  error: string | null;
  /** The pass had been voted elsewhere before: `vote` is the server's, not the one cast here. */
  votedElsewhere: boolean;
}

const EMPTY_CAPTION: VoteCaption = { emotion: "", actions: "" };

function labelText(label: string): string {
  return label === UNUSABLE ? "unusable (no usable face)" : label;
}

function describeVote(vote: Vote): string {
  const parts = [labelText(vote.label)];
  if (vote.intensity !== null) parts.push(`intensity ${vote.intensity}`);
  if (vote.caption) parts.push("with a caption");
  return parts.join(" · ");
}

function VoteSession({ project, plan }: { project: Project; plan: SessionPlan }) {
  const classes = useMemo(() => parseLabelSchema(project.label_schema).emotions.map((emotion) => emotion.name), [project.label_schema]);
  const items = plan.open;
  // The clip on screen, and the first clip not voted yet in this session (at most `items.length`).
  const [position, setPosition] = useState(0);
  const [frontier, setFrontier] = useState(0);
  const [records, setRecords] = useState<ReadonlyMap<number, VoteRecord>>(new Map());
  const [intensity, setIntensity] = useState<number | null>(null);
  const [captionOpen, setCaptionOpen] = useState(false);
  const [caption, setCaption] = useState<VoteCaption>(EMPTY_CAPTION);
  const [notice, setNotice] = useState<string | null>(null);
  const revisions = useRef(new Map(items.map((item) => [item.id, item.revision ?? 0])));
  const videoRef = useRef<HTMLVideoElement>(null);
  const emotionRef = useRef<HTMLInputElement>(null);

  const current: AssignmentSummary | undefined = items[position];
  const currentRecord = current ? records.get(current.id) : undefined;
  // A clip voted in this session is locked: shown, not voted again (unless its vote failed).
  const locked = position < frontier && currentRecord !== undefined && currentRecord.state !== "failed";
  const next = items[frontier === position ? position + 1 : frontier];

  const setRecord = useCallback((id: number, record: VoteRecord) => {
    setRecords((previous) => new Map(previous).set(id, record));
  }, []);

  const send = useCallback(
    (item: AssignmentSummary, vote: Vote) => {
      setRecord(item.id, { vote, state: "saving", error: null, votedElsewhere: false });
      deliverVote(item.id, revisions.current.get(item.id) ?? 0, vote).then(
        (delivery) => {
          revisions.current.set(item.id, delivery.revision);
          if (delivery.outcome === "saved" || sameVote(delivery.vote, vote)) {
            setRecord(item.id, { vote, state: "saved", error: null, votedElsewhere: false });
            return;
          }
          const kept = delivery.vote ?? vote;
          setRecord(item.id, { vote: kept, state: "saved", error: null, votedElsewhere: true });
          setNotice(`Clip ${items.indexOf(item) + 1} had already been voted elsewhere (${labelText(kept.label)}); that vote stands.`);
        },
        (error: unknown) => {
          const message = error instanceof ApiError ? error.detail : "Could not save the vote.";
          setRecord(item.id, { vote, state: "failed", error: message, votedElsewhere: false });
        },
      );
    },
    [items, setRecord],
  );

  const resetDraft = useCallback(() => {
    setIntensity(null);
    setCaption(EMPTY_CAPTION);
    setCaptionOpen(false);
  }, []);

  const vote = useCallback(
    (label: string) => {
      if (!current || locked) {
        if (locked) setNotice("This clip is voted and locked. Press → to go back to the next clip.");
        return;
      }
      send(current, { label, intensity, caption: captionToSend(caption) });
      setNotice(null);
      resetDraft();
      // Re-voting a clip whose vote failed goes back to where the session had got to.
      const nextPosition = position < frontier ? frontier : position + 1;
      setFrontier(Math.max(frontier, position + 1));
      setPosition(nextPosition);
    },
    [current, locked, send, intensity, caption, resetDraft, position, frontier],
  );

  const replay = useCallback(() => {
    const element = videoRef.current;
    if (!element) return;
    element.currentTime = 0;
    void element.play()?.catch(() => undefined);
  }, []);

  const back = useCallback(() => {
    if (position === 0) return;
    setNotice(null);
    resetDraft();
    setPosition(position - 1);
  }, [position, resetDraft]);

  const forward = useCallback(() => {
    if (position >= frontier) return;
    setNotice(null);
    resetDraft();
    setPosition(position + 1);
  }, [position, frontier, resetDraft]);

  const openCaption = useCallback(() => {
    if (!current || locked) return;
    setCaptionOpen(true);
  }, [current, locked]);

  useEffect(() => {
    if (captionOpen) emotionRef.current?.focus();
  }, [captionOpen]);

  // Every clip starts from its beginning, muted (autoplay is refused to a clip with sound).
  useEffect(() => {
    const element = videoRef.current;
    if (!element) return;
    element.muted = true;
    void element.play()?.catch(() => undefined);
  }, [current?.id]);

  // -- the keyboard -----------------------------------------------------------------------------
  const actions = useRef({ vote, replay, back, forward, openCaption, classes, locked });
  actions.current = { vote, replay, back, forward, openCaption, classes, locked };

  useEffect(() => {
    function run(action: KeyAction) {
      const a = actions.current;
      switch (action.kind) {
        case "vote": {
          const label = a.classes[action.classIndex];
          if (label !== undefined) a.vote(label);
          break;
        }
        case "unusable":
          a.vote(UNUSABLE);
          break;
        case "replay":
          a.replay();
          break;
        case "intensity":
          if (!a.locked) setIntensity((value) => stepIntensity(value, action.delta));
          break;
        case "caption":
          a.openCaption();
          break;
        case "back":
          a.back();
          break;
        case "forward":
          a.forward();
          break;
      }
    }
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTextEntry(event.target)) return;
      const action = keyAction(event.key, actions.current.classes.length);
      if (!action) return;
      event.preventDefault();
      // A held key would vote on clip after clip: only the first press counts.
      if (event.repeat && action.kind !== "intensity") return;
      run(action);
    }
    // Space on a focused button would click it as the key comes up: here it replays, nothing else.
    function onKeyUp(event: KeyboardEvent) {
      if (event.key === " " && !isTextEntry(event.target)) event.preventDefault();
    }
    window.addEventListener("keydown", onKeyDown);
    window.addEventListener("keyup", onKeyUp);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
      window.removeEventListener("keyup", onKeyUp);
    };
  }, []);

  // Leaving with votes not yet on the server: the browser asks first.
  const unsaved = [...records.values()].filter((record) => record.state !== "saved").length;
  useEffect(() => {
    if (unsaved === 0) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [unsaved]);

  function closeCaption(event: ReactKeyboardEvent<HTMLInputElement>, isLast: boolean) {
    if (event.key === "Escape" || (event.key === "Enter" && (isLast || event.ctrlKey || event.metaKey))) {
      event.preventDefault();
      setCaptionOpen(false);
      event.currentTarget.blur();
    }
  }

  const failed = items.filter((item) => records.get(item.id)?.state === "failed");
  const saving = items.filter((item) => records.get(item.id)?.state === "saving").length;
  const castHere = [...records.values()].filter((record) => record.state !== "failed").length;
  const voted = plan.submitted + castHere;
  const share = plan.total > 0 ? voted / plan.total : 0;
  const keyed = classes.slice(0, MAX_CLASS_KEYS);
  const shownVote = position < frontier ? currentRecord?.vote : undefined;
  const draftCaption = captionToSend(caption);

  return (
    <main className="page page-wide vote-page" data-testid="vote-page">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span> <Link to={projectPath(project.slug)}>{project.slug}</Link>{" "}
        <span aria-hidden="true">/</span> <span>Voting</span>
      </nav>
      <div className="vote-head">
        <h1>{project.name}</h1>
        <p className="muted vote-progress-text" data-testid="vote-progress" aria-live="polite">
          {voted} of {plan.total} voted
        </p>
      </div>
      <div
        className="vote-bar"
        role="progressbar"
        aria-label="Clips voted"
        aria-valuemin={0}
        aria-valuemax={plan.total}
        aria-valuenow={voted}
        data-testid="vote-progress-bar"
      >
        <div className="vote-bar-fill" style={{ width: `${Math.round(share * 1000) / 10}%` }} />
      </div>

      {failed.length > 0 && (
        <div className="alert alert-error vote-error" role="alert" data-testid="vote-error">
          <p>
            {failed.length === 1 ? "1 vote is" : `${failed.length} votes are`} not saved:{" "}
            {failed.map((item) => `clip ${items.indexOf(item) + 1} (${labelText(records.get(item.id)?.vote.label ?? "")})`).join(", ")}.{" "}
            {records.get(failed[0]!.id)?.error}
          </p>
          <button
            type="button"
            className="button button-small"
            data-testid="vote-retry"
            onClick={() => {
              for (const item of failed) {
                const record = records.get(item.id);
                if (record) send(item, record.vote);
              }
            }}
          >
            Retry
          </button>
        </div>
      )}
      {notice && (
        <p className="alert alert-info" role="status" data-testid="vote-notice">
          {notice}
        </p>
      )}

      {!current ? (
        <div className="empty-state" data-testid="vote-empty">
          <h2>No clips left to vote on in this project</h2>
          {saving > 0 ? (
            <p role="status" data-testid="vote-saving">
              Saving your last {saving === 1 ? "vote" : `${saving} votes`}…
            </p>
          ) : (
            <p>
              {records.size > 0 ? `You voted on ${records.size} clip${records.size === 1 ? "" : "s"} in this session. ` : ""}
              New clips appear in <Link to="/queue">your queue</Link> when a project owner deals them.
            </p>
          )}
          <p>
            <Link to="/queue" className="button" data-testid="vote-queue-link">
              Back to my queue
            </Link>
            {records.size > 0 && (
              <button type="button" className="button button-quiet" onClick={back}>
                Review the last clip (z)
              </button>
            )}
          </p>
        </div>
      ) : (
        <div className="vote-layout">
          <section className="vote-stage" aria-label={`Clip ${position + 1} of ${items.length}`}>
            <div className="vote-stage-head">
              <span className="mono" data-testid="vote-position">
                Clip {position + 1} of {items.length}
              </span>
              {shownVote && (
                <span className={`badge ${currentRecord?.state === "failed" ? "badge-failed" : "badge-ready"}`} data-testid="vote-locked" data-label={shownVote.label}>
                  {currentRecord?.state === "failed" ? "Not saved: " : "Your vote: "}
                  {describeVote(shownVote)}
                  {currentRecord?.state === "saving" ? " (saving…)" : ""}
                  {locked ? " · locked" : ""}
                </span>
              )}
            </div>
            <video
              key={current.id}
              ref={videoRef}
              className="vote-video"
              data-testid="vote-video"
              data-assignment={current.id}
              src={videoUrls.proxy(current.video)}
              muted
              loop
              autoPlay
              playsInline
              aria-label={`Clip ${position + 1}, playing in a loop`}
            />
            {next && <video key={`next-${next.id}`} className="vote-preload" src={videoUrls.proxy(next.video)} preload="auto" muted aria-hidden="true" tabIndex={-1} />}
            <div className="vote-controls">
              <button type="button" className="button button-small" onClick={replay} aria-label="Replay the clip (r or Space)">
                Replay <kbd>r</kbd>
              </button>
              <button type="button" className="button button-small" onClick={back} disabled={position === 0} aria-label="Show the previous clip and your vote (z or Backspace)">
                Previous <kbd>z</kbd>
              </button>
              {position < frontier && (
                <button type="button" className="button button-small" onClick={forward} aria-label="Next clip (→)">
                  Next <kbd>→</kbd>
                </button>
              )}
            </div>
          </section>

          <section className="vote-panel panel" aria-label="Your vote">
            <h2 className="panel-title">Which emotion does the clip show?</h2>
            <div className="vote-classes" role="group" aria-label="Classes">
              {keyed.map((name, index) => (
                <button
                  key={name}
                  type="button"
                  className={`button vote-class${shownVote?.label === name ? " vote-class-chosen" : ""}`}
                  data-testid="vote-class"
                  data-label={name}
                  aria-label={`Vote ${name} (key ${index + 1})`}
                  aria-keyshortcuts={String(index + 1)}
                  aria-pressed={shownVote ? shownVote.label === name : undefined}
                  disabled={locked}
                  onClick={() => vote(name)}
                >
                  <kbd>{index + 1}</kbd> {name}
                </button>
              ))}
              <button
                type="button"
                className={`button vote-class vote-unusable${shownVote?.label === UNUSABLE ? " vote-class-chosen" : ""}`}
                data-testid="vote-unusable"
                data-label={UNUSABLE}
                aria-label="Vote unusable: no usable face (key 0 or u)"
                aria-keyshortcuts="0 u"
                aria-pressed={shownVote ? shownVote.label === UNUSABLE : undefined}
                disabled={locked}
                onClick={() => vote(UNUSABLE)}
              >
                <kbd>0</kbd> no usable face
              </button>
            </div>

            <div className="vote-intensity">
              <span id="vote-intensity-label">Intensity (optional)</span>
              <button
                type="button"
                className="button button-small"
                aria-label="Lower the intensity ([)"
                disabled={locked || intensity === null}
                onClick={() => setIntensity((value) => stepIntensity(value, -1))}
              >
                <kbd>[</kbd>
              </button>
              <output className="mono vote-intensity-value" data-testid="vote-intensity" aria-labelledby="vote-intensity-label" data-value={intensity ?? ""}>
                {intensity === null ? "—" : `${intensity} / ${MAX_INTENSITY}`}
              </output>
              <button
                type="button"
                className="button button-small"
                aria-label="Raise the intensity (])"
                disabled={locked || intensity === MAX_INTENSITY}
                onClick={() => setIntensity((value) => stepIntensity(value, 1))}
              >
                <kbd>]</kbd>
              </button>
            </div>

            {captionOpen ? (
              <div className="vote-caption" data-testid="vote-caption">
                <label>
                  <span>The overall emotion, in a sentence</span>
                  <input
                    ref={emotionRef}
                    type="text"
                    maxLength={1000}
                    data-testid="vote-caption-emotion"
                    value={caption.emotion}
                    onChange={(event) => setCaption({ ...caption, emotion: event.target.value })}
                    onKeyDown={(event) => closeCaption(event, false)}
                  />
                </label>
                <label>
                  <span>The visible facial actions, in a sentence</span>
                  <input
                    type="text"
                    maxLength={1000}
                    data-testid="vote-caption-actions"
                    value={caption.actions}
                    onChange={(event) => setCaption({ ...caption, actions: event.target.value })}
                    onKeyDown={(event) => closeCaption(event, true)}
                  />
                </label>
                <p className="muted vote-hint">Enter (in the second field) or Ctrl+Enter keeps the caption; then vote with a class key.</p>
              </div>
            ) : (
              <p className="vote-caption-summary">
                <button type="button" className="button button-small" onClick={openCaption} disabled={locked} aria-label="Write a caption (c)">
                  Caption <kbd>c</kbd>
                </button>{" "}
                {draftCaption ? (
                  <span data-testid="vote-caption-kept">
                    Caption kept: {[draftCaption.emotion, draftCaption.actions].filter(Boolean).join(" / ")}
                  </span>
                ) : (
                  <span className="muted">optional</span>
                )}
              </p>
            )}
            {shownVote?.caption && (
              <p className="muted" data-testid="vote-locked-caption">
                Your caption: {[shownVote.caption.emotion, shownVote.caption.actions].filter(Boolean).join(" / ")}
              </p>
            )}

            <p className="muted vote-hint">
              Keys: <kbd>1</kbd>–<kbd>{keyed.length}</kbd> vote and go on · <kbd>0</kbd>/<kbd>u</kbd> unusable · <kbd>r</kbd>/<kbd>Space</kbd> replay ·{" "}
              <kbd>[</kbd>/<kbd>]</kbd> intensity · <kbd>c</kbd> caption · <kbd>z</kbd>/<kbd>Backspace</kbd> previous clip (locked).
            </p>
          </section>
        </div>
      )}
    </main>
  );
}
