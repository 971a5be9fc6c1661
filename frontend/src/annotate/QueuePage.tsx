import { useEffect, useState } from "react";
import { listMyAssignments, type AssignmentSummary } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { FormAlert } from "../components/Forms";
import { Link } from "../components/Link";
import { annotatePath, navigate, votePath } from "../router";
import { formatDuration } from "../video/frames";

/** Open passes first (oldest first), then submitted ones (latest first). */
export function groupQueue(passes: readonly AssignmentSummary[]): { open: AssignmentSummary[]; submitted: AssignmentSummary[] } {
  const open = passes.filter((p) => p.status !== "submitted").sort((a, b) => a.id - b.id);
  const submitted = passes
    .filter((p) => p.status === "submitted")
    .sort((a, b) => (b.submitted_at ?? "").localeCompare(a.submitted_at ?? "") || b.id - a.id);
  return { open, submitted };
}

/** A clip pass: voted in its project's voting session, not opened one by one. */
export function isClipPass(pass: AssignmentSummary): boolean {
  return pass.task_kind === "clip_classification";
}

export interface ClipProjectQueue {
  project: string;
  open: number;
  total: number;
  /** The oldest open pass, which orders the projects among themselves. */
  firstOpen: number | null;
}

/** The clip passes per project, projects with the oldest open pass first (all voted last). */
export function groupClipPasses(passes: readonly AssignmentSummary[]): ClipProjectQueue[] {
  const byProject = new Map<string, ClipProjectQueue>();
  for (const pass of passes) {
    if (!isClipPass(pass)) continue;
    const entry = byProject.get(pass.project) ?? { project: pass.project, open: 0, total: 0, firstOpen: null };
    entry.total += 1;
    if (pass.status !== "submitted") {
      entry.open += 1;
      entry.firstOpen = entry.firstOpen === null ? pass.id : Math.min(entry.firstOpen, pass.id);
    }
    byProject.set(pass.project, entry);
  }
  const rank = (entry: ClipProjectQueue) => entry.firstOpen ?? Number.MAX_SAFE_INTEGER;
  return [...byProject.values()].sort((a, b) => rank(a) - rank(b) || a.project.localeCompare(b.project));
}

/** Where "Start next" goes: the oldest open pass, or its project's voting session for a clip. */
export function nextPath(passes: readonly AssignmentSummary[]): string | null {
  const { open } = groupQueue(passes);
  const next = open[0];
  if (!next) return null;
  return isClipPass(next) ? votePath(next.project) : annotatePath(next.id);
}

export function QueuePage() {
  const [passes, setPasses] = useState<AssignmentSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let active = true;
    listMyAssignments().then(
      (list) => active && setPasses(list),
      (caught: unknown) => active && setError(caught instanceof ApiError ? caught.detail : "Could not load your queue."),
    );
    return () => {
      active = false;
    };
  }, []);

  const { open, submitted } = groupQueue(passes ?? []);
  const total = open.length + submitted.length;
  const spent = (passes ?? []).reduce((sum, p) => sum + (p.time_spent_s ?? 0), 0);
  const next = nextPath(passes ?? []);
  const clipProjects = groupClipPasses(passes ?? []);
  const segmentPasses = (list: AssignmentSummary[]) => list.filter((pass) => !isClipPass(pass));

  return (
    <main className="page queue-page">
      <div className="queue-head">
        <div>
          <h1>My queue</h1>
          {passes && total > 0 && (
            <p className="muted" data-testid="queue-progress">
              {submitted.length} of {total} submitted · {formatDuration(spent)} on task
            </p>
          )}
        </div>
        {next && (
          <button type="button" className="button button-primary" data-testid="queue-start" onClick={() => navigate(next)}>
            Start next
          </button>
        )}
      </div>
      {passes && total > 0 && (
        <div className="queue-bar" aria-hidden="true">
          <div className="queue-bar-fill" style={{ width: `${(100 * submitted.length) / total}%` }} />
        </div>
      )}
      <FormAlert messages={error ? [error] : []} />
      {passes === null && !error && (
        <p className="muted" role="status">
          Loading…
        </p>
      )}
      {passes !== null && total === 0 && (
        <div className="empty-state" data-testid="queue-empty">
          <h2>Nothing to annotate</h2>
          <p className="muted">No passes are assigned to you yet. A project owner deals them once videos are ready.</p>
        </div>
      )}
      {total > 0 && (
        <div data-testid="queue-list">
          {clipProjects.length > 0 && <ClipSection projects={clipProjects} />}
          {(clipProjects.length === 0 || segmentPasses(open).length + segmentPasses(submitted).length > 0) && (
            <>
              <QueueSection title="Open" passes={segmentPasses(open)} empty="Every pass is submitted. Well done." />
              <QueueSection title="Submitted" passes={segmentPasses(submitted)} empty="Nothing submitted yet." />
            </>
          )}
        </div>
      )}
    </main>
  );
}

/** One row per clip project: its clips are voted in one session, not opened pass by pass. */
function ClipSection({ projects }: { projects: ClipProjectQueue[] }) {
  return (
    <section className="queue-section" aria-label="Clips to vote on">
      <h2 className="section-head">
        Clips to vote on <span className="section-count muted">{projects.reduce((sum, entry) => sum + entry.open, 0)}</span>
      </h2>
      <ul className="queue-items">
        {projects.map((entry) => (
          <li key={entry.project} className="queue-item card" data-testid="queue-vote-project" data-project={entry.project} data-open={entry.open}>
            <div className="queue-item-main">
              <span className="queue-item-name">{entry.project}</span>
              <span className="muted">
                {entry.total - entry.open} of {entry.total} clip{entry.total === 1 ? "" : "s"} voted
              </span>
            </div>
            <div className="queue-item-meta muted">
              {entry.open > 0 ? (
                <Link
                  to={votePath(entry.project)}
                  className="button button-small button-primary"
                  data-testid="queue-vote-link"
                  aria-label={`Vote on the clips of ${entry.project} (${entry.open} left)`}
                >
                  Vote ({entry.open} left)
                </Link>
              ) : (
                <span className="badge badge-ready">all voted</span>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}

function QueueSection({ title, passes, empty }: { title: string; passes: AssignmentSummary[]; empty: string }) {
  return (
    <section className="queue-section" aria-label={title}>
      <h2 className="section-head">
        {title} <span className="section-count muted">{passes.length}</span>
      </h2>
      {passes.length === 0 ? (
        <p className="muted">{empty}</p>
      ) : (
        <ul className="queue-items">
          {passes.map((pass) => (
            <li key={pass.id} className="queue-item card" data-testid="queue-item" data-status={pass.status}>
              <div className="queue-item-main">
                <Link to={annotatePath(pass.id)} className="queue-item-name">
                  {pass.video_name || `Video ${pass.video}`}
                </Link>
                <span className="muted">
                  {pass.project} · pass {pass.pass_index} · {pass.n_frames} frames
                </span>
              </div>
              <div className="queue-item-meta muted">
                <span>
                  {pass.segment_count} segment{pass.segment_count === 1 ? "" : "s"}
                </span>
                <span>{formatDuration(pass.time_spent_s ?? 0)}</span>
                <span className={`badge ${pass.status === "submitted" ? "badge-ready" : "badge-processing"}`}>{pass.status}</span>
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
