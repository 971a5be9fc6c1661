import { useEffect, useState } from "react";
import { listMyAssignments, type AssignmentSummary } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { FormAlert } from "../components/Forms";
import { Link } from "../components/Link";
import { annotatePath, navigate } from "../router";
import { formatDuration } from "../video/frames";

/** Open passes first (oldest first), then submitted ones (latest first). */
export function groupQueue(passes: readonly AssignmentSummary[]): { open: AssignmentSummary[]; submitted: AssignmentSummary[] } {
  const open = passes.filter((p) => p.status !== "submitted").sort((a, b) => a.id - b.id);
  const submitted = passes
    .filter((p) => p.status === "submitted")
    .sort((a, b) => (b.submitted_at ?? "").localeCompare(a.submitted_at ?? "") || b.id - a.id);
  return { open, submitted };
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
  const next = open[0];

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
          <button type="button" className="button button-primary" data-testid="queue-start" onClick={() => navigate(annotatePath(next.id))}>
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
          <QueueSection title="Open" passes={open} empty="Every pass is submitted. Well done." />
          <QueueSection title="Submitted" passes={submitted} empty="Nothing submitted yet." />
        </div>
      )}
    </main>
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
