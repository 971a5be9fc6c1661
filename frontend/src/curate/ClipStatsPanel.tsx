/**
 * The curators' view of a clip-classification project's votes (the DFEW protocol): alpha and
 * kappa, the counts, single-labelled clips per class, the ambiguous clips with their vote
 * distributions, and each annotator against the majority of the others.
 */
import { useEffect, useState } from "react";
import { getClipAgreement, UNUSABLE, type AlphaFigure, type ClipAgreement, type ClipAnnotator, type ClipVotes } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { Link } from "../components/Link";
import { PageState } from "../components/PageState";
import { projectPath, videoPath } from "../router";
import { EmptyPlot, formatFigure, heat, linearScale, niceTicks } from "./plots";

/** Okabe–Ito colours (distinguishable with the common colour-vision deficiencies), then two more. */
const CLASS_COLOURS = ["#E69F00", "#0072B2", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#882255", "#999933"];
export const UNUSABLE_COLOUR = "#b9c1cc";

/** The colour of the class at `index` of the schema (cycling past nine classes). */
export function classColour(index: number): string {
  return CLASS_COLOURS[index % CLASS_COLOURS.length] ?? CLASS_COLOURS[0]!;
}

export const EMPTY_VOTES = "No submitted votes yet: the figures appear once clips are voted on.";

export interface StackPart {
  name: string;
  count: number;
  colour: string;
  /** Where the part starts and how wide it is, as shares of the clip's votes (0–1). */
  start: number;
  share: number;
}

/** A clip's votes as the parts of a stacked bar: classes in schema order, then unusable; empty parts left out. */
export function voteStack(clip: ClipVotes, classes: readonly string[]): StackPart[] {
  const counts = [...classes.map((name, index) => ({ name, count: clip.votes[name] ?? 0, colour: classColour(index) })), { name: UNUSABLE, count: clip.unusable, colour: UNUSABLE_COLOUR }];
  const total = counts.reduce((sum, part) => sum + part.count, 0);
  const parts: StackPart[] = [];
  let start = 0;
  for (const part of counts) {
    if (part.count <= 0 || total === 0) continue;
    const share = part.count / total;
    parts.push({ ...part, start, share });
    start += share;
  }
  return parts;
}

/** Whether leaving the annotator out raises alpha: their votes pull the agreement down. */
export function raisesAlpha(annotator: ClipAnnotator, alpha: AlphaFigure): boolean {
  const without = annotator.alpha_without.value;
  return without !== null && alpha.value !== null && without > alpha.value + 1e-9;
}

function Figure({ figure, testId }: { figure: AlphaFigure; testId: string }) {
  if (figure.value === null) {
    return (
      <dd className="mono" data-testid={testId} data-undefined="true">
        undefined
        <span className="muted clip-reason" data-testid={`${testId}-reason`} style={{ display: "block", fontFamily: "var(--font)", fontSize: "0.8rem", fontWeight: 400 }}>
          {figure.reason || "no reason given"}
        </span>
      </dd>
    );
  }
  return (
    <dd className="mono" data-testid={testId}>
      {formatFigure(figure.value)}
    </dd>
  );
}

export function ClipStatsPanel({ slug, data }: { slug: string; data: ClipAgreement }) {
  const ambiguous = data.clips.filter((clip) => clip.status === "ambiguous");
  const incomplete = data.clips.filter((clip) => clip.status === "incomplete").length;
  const unusableClips = data.clips.filter((clip) => clip.status === "unusable").length;
  const [selected, setSelected] = useState<string | null>(data.annotators[0]?.annotator ?? null);
  const chosen = data.annotators.find((row) => row.annotator === selected) ?? null;

  return (
    <div className="clip-stats" data-testid="clip-stats">
      <dl className="facts curate-facts">
        <div>
          <dt>Krippendorff's α (nominal)</dt>
          <Figure figure={data.alpha} testId="clip-alpha" />
        </div>
        <div>
          <dt>
            Fleiss' κ ({data.kappa.n_clips} clip{data.kappa.n_clips === 1 ? "" : "s"} × {data.kappa.n_raters} raters)
          </dt>
          <Figure figure={data.kappa} testId="clip-kappa" />
        </div>
        <div>
          <dt>Clips</dt>
          <dd className="mono">
            <span data-testid="clip-count">{data.n_clips}</span>{" "}
            <span className="muted" style={{ fontWeight: 400 }}>
              (<span data-testid="clip-incomplete-count">{incomplete}</span> incomplete)
            </span>
          </dd>
        </div>
        <div>
          <dt>Votes</dt>
          <dd className="mono" data-testid="clip-vote-count">
            {data.n_votes}
          </dd>
        </div>
        <div>
          <dt>Single-labelled</dt>
          <dd className="mono" data-testid="clip-single-count">
            {data.single_labelled.count}
          </dd>
        </div>
        <div>
          <dt>Ambiguous</dt>
          <dd className="mono" data-testid="clip-ambiguous-count">
            {ambiguous.length}
          </dd>
        </div>
        <div>
          <dt>Unusable votes (clips)</dt>
          <dd className="mono" data-testid="clip-unusable-count">
            {data.n_unusable} ({unusableClips})
          </dd>
        </div>
      </dl>
      <p className="muted">
        A clip is single-labelled when one class has more than {data.threshold} of its votes; {data.passes_per_item} passes per clip.
      </p>

      <div className="curate-grid">
        <section className="panel curate-panel" aria-labelledby="single-title">
          <h2 className="panel-title" id="single-title">
            Single-labelled clips per class
          </h2>
          <ClassBars classes={data.classes} byClass={data.single_labelled.by_class} />
        </section>

        <section className="panel curate-panel" aria-labelledby="ambiguous-title">
          <h2 className="panel-title" id="ambiguous-title">
            Ambiguous clips ({ambiguous.length})
          </h2>
          <VoteLegend classes={data.classes} />
          {ambiguous.length === 0 ? (
            <p className="muted" data-testid="ambiguous-empty">
              {data.n_votes === 0 ? EMPTY_VOTES : "No ambiguous clip: every fully voted clip has a single label or is unusable."}
            </p>
          ) : (
            <ul className="clip-ambiguous" data-testid="ambiguous-list" style={{ listStyle: "none", margin: 0, padding: 0, display: "grid", gap: "0.5rem" }}>
              {ambiguous.map((clip) => (
                <li key={clip.video} data-testid="ambiguous-clip" data-video={clip.video} style={{ display: "grid", gridTemplateColumns: "minmax(0, 12rem) minmax(0, 1fr) auto", gap: "0.75rem", alignItems: "center" }}>
                  <Link to={videoPath(slug, clip.video)} title={clip.name} style={{ overflowWrap: "anywhere" }}>
                    {clip.name || `Clip ${clip.video}`}
                  </Link>
                  <VoteStack clip={clip} classes={data.classes} />
                  <span className="muted mono" title="Most votes for one class">
                    {clip.top ?? "—"} {clip.top_votes}/{clip.n_votes}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <section className="panel curate-panel" aria-labelledby="clip-annotators-title">
        <h2 className="panel-title" id="clip-annotators-title">
          Annotators against the majority of the others
        </h2>
        {data.annotators.length === 0 ? (
          <EmptyPlot>{EMPTY_VOTES}</EmptyPlot>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table" data-testid="clip-annotator-table">
                <thead>
                  <tr>
                    <th scope="col">Annotator</th>
                    <th scope="col" className="numeric">
                      Votes
                    </th>
                    <th scope="col" className="numeric">
                      Unusable
                    </th>
                    <th scope="col" className="numeric">
                      Agreement with the others' majority
                    </th>
                    <th scope="col" className="numeric">
                      Ties left out
                    </th>
                    <th scope="col" className="numeric">
                      α without them
                    </th>
                    <th scope="col">Confusion</th>
                  </tr>
                </thead>
                <tbody>
                  {data.annotators.map((row) => {
                    const raises = raisesAlpha(row, data.alpha);
                    return (
                      <tr
                        key={row.annotator}
                        data-testid="clip-annotator-row"
                        data-annotator={row.annotator}
                        data-raises-alpha={raises ? "true" : "false"}
                        style={raises ? { background: "var(--danger-soft)" } : undefined}
                      >
                        <th scope="row">{row.annotator}</th>
                        <td className="numeric mono">{row.n_votes}</td>
                        <td className="numeric mono">{row.n_unusable}</td>
                        <td className="numeric mono" title={`${row.n_compared} clips compared`}>
                          {row.agreement === null ? "—" : `${(row.agreement * 100).toFixed(1)}%`} <span className="muted">of {row.n_compared}</span>
                        </td>
                        <td className="numeric mono">{row.n_ties}</td>
                        <td className="numeric mono" data-testid="clip-alpha-without">
                          {row.alpha_without.value === null ? (
                            <span className="muted" title={row.alpha_without.reason ?? undefined}>
                              undefined
                            </span>
                          ) : (
                            formatFigure(row.alpha_without.value)
                          )}
                          {raises && (
                            <span
                              data-testid="clip-alpha-rises"
                              title="Leaving this annotator out raises alpha"
                              style={{ marginLeft: "0.4rem", padding: "0.05rem 0.45rem", borderRadius: 999, fontSize: "0.75rem", color: "var(--danger)", border: "1px solid var(--danger)", fontFamily: "var(--font)" }}
                            >
                              α rises without them
                            </span>
                          )}
                        </td>
                        <td>
                          <button
                            type="button"
                            className="button button-small"
                            aria-pressed={row.annotator === selected}
                            aria-label={`Show the confusion matrix of ${row.annotator}`}
                            data-testid="clip-confusion-select"
                            onClick={() => setSelected(row.annotator)}
                          >
                            Matrix
                          </button>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            {chosen && <ConfusionMatrix annotator={chosen} classes={data.classes} />}
          </>
        )}
      </section>
    </div>
  );
}

function VoteLegend({ classes }: { classes: readonly string[] }) {
  const entries = [...classes.map((name, index) => ({ name, colour: classColour(index) })), { name: UNUSABLE, colour: UNUSABLE_COLOUR }];
  return (
    <ul className="clip-legend" data-testid="vote-legend" aria-label="Colours of the classes" style={{ listStyle: "none", margin: "0 0 0.75rem", padding: 0, display: "flex", flexWrap: "wrap", gap: "0.35rem 0.9rem", fontSize: "0.85rem" }}>
      {entries.map((entry) => (
        <li key={entry.name} data-testid="legend-entry" data-class={entry.name} style={{ display: "inline-flex", alignItems: "center", gap: "0.3rem" }}>
          <span aria-hidden="true" style={{ width: 10, height: 10, borderRadius: 2, background: entry.colour, display: "inline-block" }} />
          {entry.name}
        </li>
      ))}
    </ul>
  );
}

/** One clip's votes as a stacked horizontal bar, a `<title>` on every part. */
function VoteStack({ clip, classes }: { clip: ClipVotes; classes: readonly string[] }) {
  const width = 320;
  const height = 18;
  const parts = voteStack(clip, classes);
  const summary = parts.map((part) => `${part.name} ${part.count}`).join(", ");
  return (
    <svg className="plot clip-stack" viewBox={`0 0 ${width} ${height}`} role="img" aria-label={`Votes: ${summary}`} data-testid="vote-stack" style={{ maxWidth: width, height }} preserveAspectRatio="none">
      <rect className="plot-track" x={0} y={0} width={width} height={height} />
      {parts.map((part) => (
        <rect key={part.name} data-testid="stack-part" data-class={part.name} data-count={part.count} x={part.start * width} y={0} width={part.share * width} height={height} fill={part.colour}>
          <title>{`${part.name}: ${part.count} of ${clip.n_votes} votes`}</title>
        </rect>
      ))}
    </svg>
  );
}

/** The single-labelled clips per class as vertical bars, each in its class's colour. */
function ClassBars({ classes, byClass }: { classes: readonly string[]; byClass: Record<string, number> }) {
  const counts = classes.map((name) => byClass[name] ?? 0);
  if (counts.every((count) => count === 0)) return <EmptyPlot>No clip is single-labelled yet.</EmptyPlot>;
  const frame = { width: 560, height: 240, left: 44, right: 12, top: 14, bottom: 44 };
  const most = Math.max(1, ...counts);
  const yTicks = niceTicks(0, most, 4).filter((tick) => Number.isInteger(tick));
  const yMax = Math.max(most, yTicks.at(-1) ?? most);
  const y = linearScale(0, yMax, frame.height - frame.bottom, frame.top);
  const band = (frame.width - frame.left - frame.right) / Math.max(1, classes.length);
  const base = frame.height - frame.bottom;
  return (
    <svg className="plot" viewBox={`0 0 ${frame.width} ${frame.height}`} role="img" aria-label="Single-labelled clips per class" data-testid="single-class-plot">
      <g className="plot-axis plot-axis-y">
        <line x1={frame.left} x2={frame.left} y1={frame.top} y2={base} />
        {yTicks.map((tick) => (
          <g key={tick} transform={`translate(${frame.left},${y(tick)})`}>
            <line x1={-4} x2={0} />
            <line className="plot-grid" x1={0} x2={frame.width - frame.left - frame.right} />
            <text x={-7} dy="0.32em" textAnchor="end">
              {tick}
            </text>
          </g>
        ))}
        <text className="plot-label" transform={`translate(12,${(frame.top + base) / 2}) rotate(-90)`} textAnchor="middle">
          clips
        </text>
      </g>
      <g className="plot-axis plot-axis-x">
        <line x1={frame.left} x2={frame.width - frame.right} y1={base} y2={base} />
      </g>
      {classes.map((name, index) => {
        const count = counts[index] ?? 0;
        const x = frame.left + index * band;
        return (
          <g key={name} data-testid="single-class-bar" data-class={name} data-count={count}>
            <title>{`${name}: ${count} single-labelled clip${count === 1 ? "" : "s"}`}</title>
            <rect x={x + band * 0.15} y={y(count)} width={band * 0.7} height={Math.max(0, base - y(count))} fill={classColour(index)} />
            <text className="plot-text mono" x={x + band / 2} y={y(count) - 4} textAnchor="middle">
              {count}
            </text>
            <text className="plot-text" x={x + band / 2} y={base + 16} textAnchor="middle">
              {name}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** An annotator's votes (columns) against the majority of the others (rows), shaded by row share. */
function ConfusionMatrix({ annotator, classes }: { annotator: ClipAnnotator; classes: readonly string[] }) {
  const rows = annotator.confusion;
  const compared = rows.reduce((sum, row) => sum + row.reduce((a, b) => a + b, 0), 0);
  return (
    <div className="clip-confusion" data-testid="confusion" data-annotator={annotator.annotator}>
      <h3 className="review-subtitle">
        {annotator.annotator}: their vote (columns) against the others' majority (rows), {compared} clip{compared === 1 ? "" : "s"}
      </h3>
      <div className="table-wrap">
        <table className="table heatmap" data-testid="confusion-matrix" style={{ width: "auto" }}>
          <thead>
            <tr>
              <th scope="col">
                <span className="visually-hidden">Others' majority</span>
              </th>
              {classes.map((name) => (
                <th key={name} scope="col" className="heatmap-head" style={{ textAlign: "center" }}>
                  {name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {classes.map((name, i) => {
              const row = rows[i] ?? [];
              const total = row.reduce((a, b) => a + b, 0);
              return (
                <tr key={name}>
                  <th scope="row">{name}</th>
                  {classes.map((column, j) => {
                    const count = row[j] ?? 0;
                    return (
                      <td
                        key={column}
                        className="mono heatmap-cell"
                        data-testid="confusion-cell"
                        data-row={name}
                        data-column={column}
                        style={{ background: count > 0 && total > 0 ? heat(count / total) : undefined, fontWeight: i === j ? 700 : undefined, minWidth: "3.5rem", textAlign: "center" }}
                        title={`others' majority ${name}, ${annotator.annotator} voted ${column}: ${count}`}
                      >
                        {count}
                      </td>
                    );
                  })}
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

type Loaded = { state: "loading" } | { state: "ready"; data: ClipAgreement } | { state: "not-found" } | { state: "error"; message: string };

/** The curators' dashboard of a clip-classification project: loads the votes' figures and shows them. */
export function ClipDashboard({ slug }: { slug: string }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });
  const [reloads, setReloads] = useState(0);

  useEffect(() => {
    let active = true;
    getClipAgreement(slug)
      .then((data) => {
        if (active) setLoaded({ state: "ready", data });
      })
      .catch((error: unknown) => {
        if (!active) return;
        if (error instanceof ApiError && error.status === 404) setLoaded({ state: "not-found" });
        else setLoaded({ state: "error", message: error instanceof ApiError ? error.detail : "Could not load the votes' figures." });
      });
    return () => {
      active = false;
    };
  }, [slug, reloads]);

  if (loaded.state !== "ready") {
    return (
      <PageState
        loaded={loaded}
        loading="Loading the votes' figures…"
        notFoundTitle="Not found"
        notFound={
          <p>No such project, or you are not one of its owners or curators.</p>
        }
        wide
        retry={() => setReloads((n) => n + 1)}
      />
    );
  }
  return (
    <main className="page page-wide curate" data-testid="curate-dashboard">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span> <Link to={projectPath(slug)}>{slug}</Link>{" "}
        <span aria-hidden="true">/</span> <span>Curation</span>
      </nav>
      <div className="curate-head">
        <h1>Curation: clip votes</h1>
        <button type="button" className="button" onClick={() => setReloads((n) => n + 1)}>
          Refresh
        </button>
      </div>
      <ClipStatsPanel slug={slug} data={loaded.data} />
    </main>
  );
}
