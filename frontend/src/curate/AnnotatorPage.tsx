import { useEffect, useState } from "react";
import { getAnnotatorDetail } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { Link } from "../components/Link";
import { PageState } from "../components/PageState";
import { curatePath, curateVideoPath, projectPath } from "../router";
import { formatDuration } from "../video/frames";
import { formatFigure, formatSigned, SeriesPlot } from "./plots";
import type { AnnotatorDetail } from "./types";

type Loaded = { state: "loading" } | { state: "ready"; data: AnnotatorDetail } | { state: "not-found" } | { state: "error"; message: string };

export function AnnotatorPage({ slug, username }: { slug: string; username: string }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });

  useEffect(() => {
    let active = true;
    getAnnotatorDetail(slug, username)
      .then((data) => {
        if (active) setLoaded({ state: "ready", data });
      })
      .catch((error: unknown) => {
        if (!active) return;
        if (error instanceof ApiError && error.status === 404) setLoaded({ state: "not-found" });
        else setLoaded({ state: "error", message: error instanceof ApiError ? error.detail : "Could not load the annotator's figures." });
      });
    return () => {
      active = false;
    };
  }, [slug, username]);

  useEffect(() => {
    document.title = `${username} · Curate · Spotlab`;
  }, [username]);

  if (loaded.state !== "ready") {
    return (
      <PageState
        loaded={loaded}
        loading="Loading…"
        notFoundTitle="Annotator not found"
        notFound={
          <p>No such annotator in this project, or you are not one of its owners or curators.</p>
        }
        wide
      />
    );
  }

  const { summary, passes, drift } = loaded.data;
  const labels = passes.map((pass) => `${pass.name || `Video ${pass.video}`} (pass ${pass.pass_index})`);
  return (
    <main className="page page-wide curate" data-testid="curate-annotator">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span> <Link to={projectPath(slug)}>{slug}</Link>{" "}
        <span aria-hidden="true">/</span> <Link to={curatePath(slug)}>Curation</Link> <span aria-hidden="true">/</span> <span>{username}</span>
      </nav>
      <h1>{loaded.data.annotator}</h1>

      <dl className="facts curate-facts" data-testid="annotator-summary">
        <div>
          <dt>Passes submitted</dt>
          <dd className="mono">
            {summary.submitted}/{summary.passes}
          </dd>
        </div>
        <div>
          <dt>Pairwise F1</dt>
          <dd className="mono">{formatFigure(summary.pairwise_f1)}</dd>
        </div>
        <div>
          <dt>Leave-one-out F1</dt>
          <dd className="mono">{formatFigure(summary.leave_one_out_f1)}</dd>
        </div>
        <div>
          <dt>α of the others without them</dt>
          <dd className="mono">{formatFigure(summary.mean_frame_alpha_without)}</dd>
        </div>
        <div>
          <dt>Onset / offset bias</dt>
          <dd className="mono">
            {formatSigned(summary.median_onset_bias_frames)} / {formatSigned(summary.median_offset_bias_frames)} frames
          </dd>
        </div>
        <div>
          <dt>Time per pass</dt>
          <dd className="mono">{formatDuration(summary.mean_time_per_pass_s)}</dd>
        </div>
      </dl>

      <section className="panel curate-panel" aria-labelledby="drift-title">
        <h2 className="panel-title" id="drift-title">
          Drift over {drift.n} submitted pass{drift.n === 1 ? "" : "es"}
        </h2>
        <dl className="facts curate-facts" data-testid="drift">
          <div>
            <dt>F1, first half → second half</dt>
            <dd className="mono">
              {formatFigure(drift.first_half_f1)} → {formatFigure(drift.second_half_f1)}
            </dd>
          </div>
          <div>
            <dt>F1 slope / 10 passes</dt>
            <dd className="mono">{formatFigure(drift.f1_slope_per_10_passes)}</dd>
          </div>
          <div>
            <dt>Onset bias slope / 10 passes</dt>
            <dd className="mono">{formatSigned(drift.onset_bias_slope_per_10_passes, 2)}</dd>
          </div>
          <div>
            <dt>Offset bias slope / 10 passes</dt>
            <dd className="mono">{formatSigned(drift.offset_bias_slope_per_10_passes, 2)}</dd>
          </div>
        </dl>
        {drift.f1_slope_per_10_passes === null && <p className="muted">Slopes need at least four submitted passes.</p>}
      </section>

      <div className="curate-grid">
        <section className="panel curate-panel" aria-labelledby="f1-title">
          <h2 className="panel-title" id="f1-title">
            Leave-one-out F1 per pass
          </h2>
          <SeriesPlot testId="f1-series" labels={labels} yLabel="F1" domain={[0, 1]} series={[{ name: "F1", className: "plot-series-f1", values: passes.map((p) => p.leave_one_out_f1) }]} />
        </section>
        <section className="panel curate-panel" aria-labelledby="bias-title">
          <h2 className="panel-title" id="bias-title">
            Boundary bias per pass (frames, − early)
          </h2>
          <SeriesPlot
            testId="bias-series"
            labels={labels}
            yLabel="bias, frames"
            zeroLine
            series={[
              { name: "onset", className: "plot-series-onset", values: passes.map((p) => p.onset_bias_frames) },
              { name: "offset", className: "plot-series-offset", values: passes.map((p) => p.offset_bias_frames) },
            ]}
          />
        </section>
      </div>

      <section className="panel curate-panel" aria-labelledby="passes-title">
        <h2 className="panel-title" id="passes-title">
          Submitted passes
        </h2>
        {passes.length === 0 ? (
          <p className="muted">No submitted passes yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="annotator-passes">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Video</th>
                  <th>Submitted</th>
                  <th className="numeric">Time</th>
                  <th className="numeric">LOO F1</th>
                  <th className="numeric">Onset bias</th>
                  <th className="numeric">Offset bias</th>
                  <th className="numeric">α without</th>
                </tr>
              </thead>
              <tbody>
                {passes.map((pass, index) => (
                  <tr key={pass.assignment} data-testid="annotator-pass-row">
                    <td className="mono">{index + 1}</td>
                    <td>
                      <Link to={curateVideoPath(slug, pass.video)}>{pass.name || `Video ${pass.video}`}</Link> <span className="muted">pass {pass.pass_index}</span>
                    </td>
                    <td>{pass.submitted_at ? new Date(pass.submitted_at).toLocaleString() : "—"}</td>
                    <td className="numeric mono">{formatDuration(pass.time_spent_s)}</td>
                    <td className="numeric mono">{formatFigure(pass.leave_one_out_f1)}</td>
                    <td className="numeric mono">{formatSigned(pass.onset_bias_frames)}</td>
                    <td className="numeric mono">{formatSigned(pass.offset_bias_frames)}</td>
                    <td className="numeric mono">{formatFigure(pass.frame_alpha_without)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </main>
  );
}
