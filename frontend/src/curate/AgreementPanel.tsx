import { Link } from "../components/Link";
import { EMPTY_AGREEMENT, formatFigure, formatSigned, heat } from "./plots";
import type { AlphaEntry, VideoAgreementDetail } from "./types";

type Computed = Extract<VideoAgreementDetail, { status: "computed" }>;

export interface AlphaRow {
  label: string;
  entry: AlphaEntry;
}

/** Every alpha of the video, in the order a curator reads them; AUs last. */
export function alphaRows(agreement: Computed): AlphaRow[] {
  const rows: AlphaRow[] = [];
  const add = (label: string, entry: AlphaEntry | undefined) => {
    if (entry) rows.push({ label, entry });
  };
  add("Frame labels (nominal)", agreement.frame_label_alpha);
  add("Segmentation (unitizing)", agreement.unitizing_segmentation?.overall);
  add("Segments by type (unitizing)", agreement.unitizing_by_type?.overall);
  add("Durations (interval)", agreement.duration_alpha);
  add("Type (nominal)", agreement.type_alpha);
  add("Emotion (nominal)", agreement.emotion_alpha);
  for (const [au, entry] of agreement.au_alpha ?? []) add(`${au} presence`, entry);
  return rows;
}

/** The pairwise F1 of the passes as a symmetric matrix, annotators in pass order; null on the diagonal. */
export function f1Matrix(agreement: Computed): { names: string[]; cells: (number | null)[][] } {
  const people = agreement.annotators ?? agreement.leave_one_out ?? [];
  const index = new Map(people.map((row, position) => [String(row.pass_id), position]));
  const cells = people.map(() => people.map((): number | null => null));
  for (const pair of agreement.pairwise_detection ?? []) {
    const i = index.get(String(pair.reference));
    const j = index.get(String(pair.predicted));
    if (i === undefined || j === undefined) continue;
    const row = cells[i];
    const column = cells[j];
    if (row) row[j] = pair.counts.f1;
    if (column) column[i] = pair.counts.f1;
  }
  return { names: people.map((row) => row.annotator), cells };
}

export function AgreementPanel({ agreement, annotatorHref }: { agreement: VideoAgreementDetail | null; annotatorHref: (username: string) => string }) {
  if (!agreement || agreement.status !== "computed") {
    return (
      <section className="panel" aria-label="Agreement" data-testid="video-agreement">
        <h2 className="panel-title">Agreement</h2>
        <p className="muted" data-testid="plot-empty">
          {EMPTY_AGREEMENT}
        </p>
      </section>
    );
  }
  const rows = alphaRows(agreement);
  const matrix = f1Matrix(agreement);
  const loo = new Map((agreement.leave_one_out ?? []).map((row) => [row.annotator, row.counts.f1]));
  const bias = new Map((agreement.boundaries?.per_annotator ?? []).map((row) => [row.annotator, row]));
  return (
    <section className="panel" aria-label="Agreement" data-testid="video-agreement">
      <h2 className="panel-title">Agreement · {agreement.n_passes} passes</h2>
      <table className="table review-alpha" data-testid="alpha-table">
        <tbody>
          {rows.map(({ label, entry }) => (
            <tr key={label} data-testid="alpha-row">
              <th scope="row">{label}</th>
              <td className="numeric mono">
                {entry.value === null ? (
                  <span className="muted" title={entry.reason ?? undefined}>
                    undefined
                  </span>
                ) : (
                  formatFigure(entry.value)
                )}
              </td>
              <td className="review-alpha-reason muted">{entry.value === null ? entry.reason || "no reason given" : ""}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <h3 className="review-subtitle">Pairwise F1 (IoU ≥ 0.5)</h3>
      {matrix.names.length === 0 ? (
        <p className="muted">No pairs.</p>
      ) : (
        <div className="table-wrap">
          <table className="table heatmap" data-testid="f1-matrix">
            <thead>
              <tr>
                <th />
                {matrix.names.map((name) => (
                  <th key={name} className="heatmap-head" title={name}>
                    {name}
                  </th>
                ))}
                <th className="heatmap-head" title="Against the consensus of the others">
                  LOO
                </th>
              </tr>
            </thead>
            <tbody>
              {matrix.names.map((name, i) => (
                <tr key={name}>
                  <th scope="row">
                    <Link to={annotatorHref(name)}>{name}</Link>
                  </th>
                  {matrix.cells[i]?.map((value, j) => (
                    <td
                      key={j}
                      className="numeric mono heatmap-cell"
                      data-testid="f1-cell"
                      style={{ background: i === j ? undefined : heat(value) }}
                      title={i === j ? undefined : `${name} vs ${matrix.names[j] ?? ""}: F1 ${formatFigure(value)}`}
                    >
                      {i === j ? "" : formatFigure(value, 2)}
                    </td>
                  ))}
                  <td className="numeric mono heatmap-cell" style={{ background: heat(loo.get(name) ?? null) }}>
                    {formatFigure(loo.get(name) ?? null, 2)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {bias.size > 0 && (
        <>
          <h3 className="review-subtitle">Boundary bias (median, frames; − early)</h3>
          <table className="table review-alpha">
            <thead>
              <tr>
                <th />
                <th className="numeric">Onset</th>
                <th className="numeric">Offset</th>
              </tr>
            </thead>
            <tbody>
              {[...bias.values()].map((row) => (
                <tr key={row.annotator}>
                  <th scope="row">{row.annotator}</th>
                  <td className="numeric mono">{formatSigned(row.onset.signed_frames.median)}</td>
                  <td className="numeric mono">{formatSigned(row.offset.signed_frames.median)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
