import { useEffect, useState } from "react";
import { buildConsensus, getProject, getProjectAgreement, type TaskKind } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { Link } from "../components/Link";
import { PageState } from "../components/PageState";
import { curateAnnotatorPath, curatePath, curateVideoPath, navigate, projectPath } from "../router";
import { ClipDashboard } from "./ClipStatsPanel";
import { AlphaPlot, BoundaryHistogram, EMPTY_AGREEMENT, formatFigure, formatSigned, ProgressBars, ReliabilityChart } from "./plots";
import type { ConsensusBuilt, ConsensusMethod, ModeAgreement, ProjectAgreement } from "./types";

export const DEFAULT_FLOOR = 0.667;

/** The agreement floor from `?floor=`: a number from -1 to 1, the default otherwise. */
export function floorFromSearch(search: string): number {
  const raw = new URLSearchParams(search).get("floor");
  if (raw === null || raw.trim() === "") return DEFAULT_FLOOR;
  const value = Number(raw);
  return Number.isFinite(value) && value >= -1 && value <= 1 ? value : DEFAULT_FLOOR;
}

type Loaded =
  | { state: "loading" }
  | { state: "ready"; data: ProjectAgreement; floor: number }
  | { state: "not-found" }
  | { state: "error"; message: string };

/**
 * The curators' dashboard: a clip-classification project's votes, or a spotting project's
 * agreement. A project that cannot be read here gets the spotting dashboard, whose own request
 * then says why (not found, not a curator, offline).
 */
export function DashboardPage({ slug, search }: { slug: string; search: string }) {
  const [kind, setKind] = useState<TaskKind | null>(null);

  useEffect(() => {
    let active = true;
    getProject(slug).then(
      (project) => active && setKind(project.task_kind ?? "spotting"),
      () => active && setKind("spotting"),
    );
    return () => {
      active = false;
    };
  }, [slug]);

  if (kind === null) {
    return (
      <main className="page page-wide">
        <p className="muted" role="status">
          Loading the agreement figures…
        </p>
      </main>
    );
  }
  if (kind === "clip_classification") return <ClipDashboard slug={slug} />;
  return <SpottingDashboard slug={slug} search={search} />;
}

function SpottingDashboard({ slug, search }: { slug: string; search: string }) {
  const floor = floorFromSearch(search);
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let active = true;
    getProjectAgreement(slug, floor)
      .then((data) => {
        if (active) setLoaded({ state: "ready", data, floor });
      })
      .catch((error: unknown) => {
        if (!active) return;
        if (error instanceof ApiError && error.status === 404) setLoaded({ state: "not-found" });
        else setLoaded({ state: "error", message: error instanceof ApiError ? error.detail : "Could not load the agreement figures." });
      });
    return () => {
      active = false;
    };
  }, [slug, floor, reloads]);

  useEffect(() => {
    document.title = `Curate · ${slug} · Spotlab`;
  }, [slug]);

  if (loaded.state !== "ready") {
    return (
      <PageState
        loaded={loaded}
        loading="Loading the agreement figures…"
        notFoundTitle="Not found"
        notFound={
          <p>No such project, or you are not one of its owners or curators.</p>
        }
        wide
        retry={() => setReloads((n) => n + 1)}
      />
    );
  }

  const { data } = loaded;
  const queue = data.videos.filter((video) => video.below_floor);
  const openVideo = (video: number) => navigate(curateVideoPath(slug, video));
  const openAnnotator = (username: string) => navigate(curateAnnotatorPath(slug, username));
  const progress = data.progress;

  return (
    <main className="page page-wide curate" data-testid="curate-dashboard">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span> <Link to={projectPath(slug)}>{slug}</Link>{" "}
        <span aria-hidden="true">/</span> <span>Curation</span>
      </nav>
      <div className="curate-head">
        <h1>Curation</h1>
        <BuildConsensus slug={slug} onBuilt={() => setReloads((n) => n + 1)} />
      </div>

      <dl className="facts curate-facts">
        <div>
          <dt>Passes submitted</dt>
          <dd className="mono" data-testid="progress-total">
            {progress.submitted}/{progress.total}
          </dd>
        </div>
        <div>
          <dt>Videos with agreement</dt>
          <dd className="mono">{data.videos.length}</dd>
        </div>
        <div>
          <dt>Mean frame-label α</dt>
          <dd className="mono" data-testid="mean-alpha">
            {formatFigure(data.mean_frame_alpha)}
          </dd>
        </div>
        <div>
          <dt>Mean pairwise F1</dt>
          <dd className="mono" data-testid="mean-f1">
            {formatFigure(data.mean_pairwise_f1)}
          </dd>
        </div>
        <div>
          <dt>Below the floor</dt>
          <dd className="mono" data-testid="below-floor-count">
            {queue.length}
          </dd>
        </div>
      </dl>

      {data.by_mode?.assisted ? <ModeTable byMode={data.by_mode} /> : null}

      <div className="curate-grid">
        <section className="panel curate-panel" aria-labelledby="progress-title">
          <h2 className="panel-title" id="progress-title">
            Progress by pass
          </h2>
          <ProgressBars byPass={progress.by_pass} />
        </section>

        <section className="panel curate-panel" aria-labelledby="alpha-title">
          <div className="curate-panel-head">
            <h2 className="panel-title" id="alpha-title">
              Frame-label α per video
            </h2>
            <FloorInput slug={slug} floor={floor} />
          </div>
          <AlphaPlot videos={data.videos} floor={floor} onOpen={openVideo} />
          {data.videos.length > 0 && <p className="muted plot-caption">Each point is a video; red ones are below the floor. Click one to review it.</p>}
        </section>
      </div>

      <section className="panel curate-panel" aria-labelledby="queue-title">
        <h2 className="panel-title" id="queue-title">
          Videos below the floor ({queue.length})
        </h2>
        {data.videos.length === 0 ? (
          <p className="muted">{EMPTY_AGREEMENT}</p>
        ) : queue.length === 0 ? (
          <p className="muted" data-testid="queue-empty">
            Every video with agreement figures is at or above the floor of {floor}.
          </p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="curate-queue">
              <thead>
                <tr>
                  <th>Video</th>
                  <th className="numeric">Passes</th>
                  <th className="numeric">Frame-label α</th>
                  <th className="numeric">Mean pairwise F1</th>
                </tr>
              </thead>
              <tbody>
                {queue.map((video) => (
                  <tr key={video.video} data-testid="queue-row" data-video={video.video}>
                    <td>
                      <Link to={curateVideoPath(slug, video.video)}>{video.name || `Video ${video.video}`}</Link>
                    </td>
                    <td className="numeric mono">{video.n_passes}</td>
                    <td className="numeric mono">{video.frame_alpha === null ? "undefined" : formatFigure(video.frame_alpha)}</td>
                    <td className="numeric mono">{formatFigure(video.mean_pairwise_f1)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="panel curate-panel" aria-labelledby="annotators-title">
        <h2 className="panel-title" id="annotators-title">
          Annotators
        </h2>
        <ReliabilityChart annotators={data.annotators} onOpen={openAnnotator} />
        {data.annotators.length > 0 && (
          <div className="table-wrap">
            <table className="table" data-testid="annotator-table">
              <thead>
                <tr>
                  <th>Annotator</th>
                  <th className="numeric">Submitted</th>
                  <th className="numeric">Pairwise F1</th>
                  <th className="numeric">Leave-one-out F1</th>
                  <th className="numeric">α without</th>
                  <th className="numeric">Onset bias</th>
                  <th className="numeric">Offset bias</th>
                  <th className="numeric">Time / pass</th>
                </tr>
              </thead>
              <tbody>
                {data.annotators.map((row) => (
                  <tr key={row.annotator}>
                    <td>
                      <Link to={curateAnnotatorPath(slug, row.annotator)} data-testid="annotator-link">
                        {row.annotator}
                      </Link>
                    </td>
                    <td className="numeric mono">
                      {row.submitted}/{row.passes}
                    </td>
                    <td className="numeric mono">{formatFigure(row.pairwise_f1)}</td>
                    <td className="numeric mono">{formatFigure(row.leave_one_out_f1)}</td>
                    <td className="numeric mono">{formatFigure(row.mean_frame_alpha_without)}</td>
                    <td className="numeric mono">{formatSigned(row.median_onset_bias_frames)}</td>
                    <td className="numeric mono">{formatSigned(row.median_offset_bias_frames)}</td>
                    <td className="numeric mono">{row.mean_time_per_pass_s === null ? "—" : `${Math.round(row.mean_time_per_pass_s / 60)} min`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section className="panel curate-panel" aria-labelledby="histogram-title">
        <h2 className="panel-title" id="histogram-title">
          Boundary deviations from the consensus
        </h2>
        <BoundaryHistogram clip={data.boundary_histogram.clip} bins={data.boundary_histogram.bins} />
      </section>
    </main>
  );
}

/** The floor, kept in the URL: a valid value replaces `?floor=` (and the figures reload). */
function FloorInput({ slug, floor }: { slug: string; floor: number }) {
  const [text, setText] = useState(String(floor));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => setText(String(floor)), [floor]);
  return (
    <label className="curate-floor">
      <span>Floor</span>
      <input
        type="number"
        step="0.01"
        min="-1"
        max="1"
        data-testid="floor-input"
        value={text}
        aria-invalid={error ? true : undefined}
        onChange={(event) => {
          const value = event.target.value;
          setText(value);
          const number = Number(value);
          if (value.trim() === "" || !Number.isFinite(number) || number < -1 || number > 1) {
            setError("A number from −1 to 1.");
            return;
          }
          setError(null);
          navigate(curatePath(slug, number), { replace: true });
        }}
      />
      {error && <span className="field-error">{error}</span>}
    </label>
  );
}

function BuildConsensus({ slug, onBuilt }: { slug: string; onBuilt: () => void }) {
  const [method, setMethod] = useState<ConsensusMethod>("median");
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ConsensusBuilt | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function build() {
    setBusy(true);
    setError(null);
    try {
      setResult(await buildConsensus(slug, { method }));
      onBuilt();
    } catch (cause) {
      setError(cause instanceof ApiError ? cause.detail : "Could not build the consensus.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="curate-build">
      <label className="curate-method">
        <span className="visually-hidden">Boundary method</span>
        <select value={method} onChange={(event) => setMethod(event.target.value as ConsensusMethod)} data-testid="consensus-method">
          <option value="median">Median boundaries</option>
          <option value="mean">Mean boundaries</option>
          <option value="trimmed_mean">Trimmed-mean boundaries</option>
        </select>
      </label>
      <button type="button" className="button button-primary" data-testid="build-consensus" disabled={busy} onClick={() => void build()}>
        {busy ? "Building…" : "Build consensus"}
      </button>
      {result && (
        <p className="alert alert-success curate-build-result" role="status" data-testid="consensus-result">
          Version {result.version} ({result.method}): {result.segments} segment{result.segments === 1 ? "" : "s"} on {result.videos} video
          {result.videos === 1 ? "" : "s"}, {result.needs_curator} need{result.needs_curator === 1 ? "s" : ""} a curator.
        </p>
      )}
      {error && (
        <p className="alert alert-error curate-build-result" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** Blind and assisted passes' agreement side by side: proposals can pull assisted passes
 * together, so their figures are never mixed with the blind ones. */
function ModeTable({ byMode }: { byMode: Record<string, ModeAgreement> }) {
  return (
    <section className="panel curate-panel" aria-labelledby="modes-title">
      <h2 className="panel-title" id="modes-title">
        Blind vs assisted passes
      </h2>
      <table className="table" data-testid="mode-table">
        <thead>
          <tr>
            <th scope="col">Passes</th>
            <th scope="col" className="numeric">Videos</th>
            <th scope="col" className="numeric">With 2+ passes</th>
            <th scope="col" className="numeric">Mean frame-label α</th>
            <th scope="col" className="numeric">Mean pairwise F1</th>
          </tr>
        </thead>
        <tbody>
          {Object.entries(byMode).map(([mode, figures]) => (
            <tr key={mode} data-testid={`mode-${mode}`}>
              <th scope="row">{mode}</th>
              <td className="numeric mono">{figures.videos}</td>
              <td className="numeric mono">{figures.videos_with_two_passes}</td>
              <td className="numeric mono">{formatFigure(figures.mean_frame_alpha)}</td>
              <td className="numeric mono">{formatFigure(figures.mean_pairwise_f1)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
