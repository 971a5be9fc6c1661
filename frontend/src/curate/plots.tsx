/**
 * The curators' plots, drawn as plain SVG: axes with ticks and labels, a `<title>` on every mark
 * for hovering, and an empty state when there is nothing to draw. Scales and ticks are pure
 * functions, tested on their own.
 */
import type { KeyboardEvent, MouseEvent, ReactNode } from "react";
import type { AnnotatorSummary, HistogramBin, PassProgress, VideoAgreementRow } from "./types";

export const EMPTY_AGREEMENT = "No submitted passes yet: agreement appears once two passes of a video are submitted.";

/** A number for people: fixed decimals, "—" when missing. */
export function formatFigure(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : value.toFixed(digits);
}

/** A signed number of frames: "+2", "−1.5", "0". */
export function formatSigned(value: number | null | undefined, digits = 1): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  const text = Number(Math.abs(value).toFixed(digits)).toString();
  if (value > 0) return `+${text}`;
  if (value < 0 && text !== "0") return `−${text}`;
  return "0";
}

/** Map `[d0, d1]` linearly onto `[r0, r1]`. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (value: number) => number {
  const span = d1 - d0;
  if (span === 0) return () => (r0 + r1) / 2;
  return (value) => r0 + ((value - d0) / span) * (r1 - r0);
}

/** Round ticks from `lo` to `hi` (about `count` of them), at steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || hi <= lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].map((base) => base * magnitude).find((candidate) => candidate >= raw) ?? 10 * magnitude);
  const ticks: number[] = [];
  for (let tick = Math.ceil(lo / step - 1e-9) * step; tick <= hi + step * 1e-9; tick += step) {
    ticks.push(Number(tick.toFixed(10)));
  }
  return ticks;
}

/** The alpha axis: from below the lowest value (and the floor, and 0) up to 1. */
export function alphaDomain(values: readonly (number | null)[], floor: number): [number, number] {
  const defined = values.filter((value): value is number => value !== null && Number.isFinite(value));
  const lowest = Math.min(0, floor, ...defined);
  return [Math.floor(lowest * 10 + 1e-9) / 10, 1];
}

function activate(handler: () => void) {
  return {
    onClick: (event: MouseEvent) => {
      event.preventDefault();
      handler();
    },
    onKeyDown: (event: KeyboardEvent) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        handler();
      }
    },
  };
}

export function EmptyPlot({ children = EMPTY_AGREEMENT }: { children?: ReactNode }) {
  return (
    <p className="empty-state plot-empty" data-testid="plot-empty">
      {children}
    </p>
  );
}

interface Frame {
  width: number;
  height: number;
  left: number;
  right: number;
  top: number;
  bottom: number;
}

function YAxis({ frame, ticks, y, label, format = (t: number) => String(t) }: { frame: Frame; ticks: number[]; y: (v: number) => number; label: string; format?: (t: number) => string }) {
  return (
    <g className="plot-axis plot-axis-y">
      <line x1={frame.left} x2={frame.left} y1={frame.top} y2={frame.height - frame.bottom} />
      {ticks.map((tick) => (
        <g key={tick} transform={`translate(${frame.left},${y(tick)})`}>
          <line x1={-4} x2={0} />
          <line className="plot-grid" x1={0} x2={frame.width - frame.left - frame.right} />
          <text x={-7} dy="0.32em" textAnchor="end">
            {format(tick)}
          </text>
        </g>
      ))}
      <text className="plot-label" transform={`translate(12,${(frame.top + frame.height - frame.bottom) / 2}) rotate(-90)`} textAnchor="middle">
        {label}
      </text>
    </g>
  );
}

function XAxis({ frame, ticks, x, label, format = (t: number) => String(t) }: { frame: Frame; ticks: number[]; x: (v: number) => number; label: string; format?: (t: number) => string }) {
  const base = frame.height - frame.bottom;
  return (
    <g className="plot-axis plot-axis-x">
      <line x1={frame.left} x2={frame.width - frame.right} y1={base} y2={base} />
      {ticks.map((tick) => (
        <g key={tick} transform={`translate(${x(tick)},${base})`}>
          <line y1={0} y2={4} />
          <text y={16} textAnchor="middle">
            {format(tick)}
          </text>
        </g>
      ))}
      <text className="plot-label" x={(frame.left + frame.width - frame.right) / 2} y={frame.height - 4} textAnchor="middle">
        {label}
      </text>
    </g>
  );
}

// -- progress -------------------------------------------------------------------------------

export function ProgressBars({ byPass }: { byPass: readonly PassProgress[] }) {
  if (byPass.length === 0) return <EmptyPlot>No passes have been dealt yet.</EmptyPlot>;
  const rowHeight = 26;
  const frame: Frame = { width: 560, height: byPass.length * rowHeight + 44, left: 70, right: 70, top: 8, bottom: 36 };
  const x = linearScale(0, 1, frame.left, frame.width - frame.right);
  return (
    <svg className="plot" viewBox={`0 0 ${frame.width} ${frame.height}`} role="img" aria-label="Submitted passes by pass index" data-testid="progress-plot">
      <XAxis frame={frame} ticks={[0, 0.25, 0.5, 0.75, 1]} x={x} label="share submitted" format={(t) => `${Math.round(t * 100)}%`} />
      {byPass.map((row, index) => {
        const share = row.total > 0 ? row.submitted / row.total : 0;
        const y = frame.top + index * rowHeight;
        return (
          <g key={row.pass_index} data-testid="progress-bar" data-pass-index={row.pass_index}>
            <title>{`Pass ${row.pass_index}: ${row.submitted} of ${row.total} submitted`}</title>
            <text x={frame.left - 8} y={y + rowHeight / 2} dy="0.32em" textAnchor="end" className="plot-text">
              Pass {row.pass_index}
            </text>
            <rect className="plot-track" x={x(0)} y={y + 4} width={x(1) - x(0)} height={rowHeight - 8} />
            <rect className="plot-bar plot-bar-progress" x={x(0)} y={y + 4} width={Math.max(0, x(share) - x(0))} height={rowHeight - 8} />
            <text x={x(1) + 6} y={y + rowHeight / 2} dy="0.32em" className="plot-text mono">
              {row.submitted}/{row.total}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

// -- alpha per video ------------------------------------------------------------------------

export function AlphaPlot({ videos, floor, onOpen }: { videos: readonly VideoAgreementRow[]; floor: number; onOpen: (video: number) => void }) {
  if (videos.length === 0) return <EmptyPlot />;
  const frame: Frame = { width: 640, height: 260, left: 52, right: 16, top: 12, bottom: 40 };
  const [lo, hi] = alphaDomain(
    videos.map((v) => v.frame_alpha),
    floor,
  );
  const y = linearScale(lo, hi, frame.height - frame.bottom, frame.top);
  const x = linearScale(-0.5, videos.length - 0.5, frame.left, frame.width - frame.right);
  const xTicks = niceTicks(1, videos.length, Math.min(videos.length, 8)).filter((t) => Number.isInteger(t) && t >= 1);
  return (
    <svg className="plot" viewBox={`0 0 ${frame.width} ${frame.height}`} role="img" aria-label="Frame-label alpha per video" data-testid="alpha-plot">
      <YAxis frame={frame} ticks={niceTicks(lo, hi, 6)} y={y} label="frame-label α" format={(t) => t.toFixed(1)} />
      <XAxis frame={frame} ticks={xTicks} x={(t) => x(t - 1)} label="videos, lowest α first" />
      <g data-testid="alpha-floor">
        <line className="plot-floor" x1={frame.left} x2={frame.width - frame.right} y1={y(floor)} y2={y(floor)} />
        <text className="plot-floor-label" x={frame.width - frame.right - 4} y={y(floor) - 5} textAnchor="end">
          floor {floor}
        </text>
        <title>{`Agreement floor: ${floor}`}</title>
      </g>
      {videos.map((video, index) => {
        const label = video.name || `Video ${video.video}`;
        const common = {
          "data-testid": "alpha-point",
          "data-video": video.video,
          role: "link",
          tabIndex: 0,
          "aria-label": `Review ${label}`,
          ...activate(() => onOpen(video.video)),
        };
        if (video.frame_alpha === null) {
          const cx = x(index);
          const cy = y(lo) - 8;
          return (
            <g key={video.video} className="plot-point plot-point-undefined" data-undefined="true" {...common}>
              <title>{`${label}: α undefined · ${video.n_passes} passes`}</title>
              <path d={`M${cx - 4},${cy - 4}L${cx + 4},${cy + 4}M${cx - 4},${cy + 4}L${cx + 4},${cy - 4}`} />
            </g>
          );
        }
        const below = video.below_floor;
        return (
          <g key={video.video} className={below ? "plot-point plot-point-below" : "plot-point"} data-below={below ? "true" : "false"} {...common}>
            <title>{`${label}: α ${formatFigure(video.frame_alpha)} · F1 ${formatFigure(video.mean_pairwise_f1)} · ${video.n_passes} passes${below ? " · below the floor" : ""}`}</title>
            <circle cx={x(index)} cy={y(video.frame_alpha)} r={below ? 6 : 5} />
          </g>
        );
      })}
    </svg>
  );
}

// -- reliability per annotator --------------------------------------------------------------

/**
 * One row per annotator: leave-one-out F1 (0–1), the frame-label alpha of the others without
 * them, and their median onset and offset bias in frames as bars diverging from 0 (left = early).
 */
export function ReliabilityChart({ annotators, onOpen }: { annotators: readonly AnnotatorSummary[]; onOpen: (username: string) => void }) {
  if (annotators.length === 0) return <EmptyPlot />;
  const rowHeight = 30;
  const width = 860;
  const top = 34;
  const height = top + annotators.length * rowHeight + 48;
  const nameWidth = 110;
  const column = (width - nameWidth - 20) / 3;
  const f1X = linearScale(0, 1, nameWidth, nameWidth + column - 36);
  const [alphaLo] = alphaDomain(
    annotators.map((a) => a.mean_frame_alpha_without),
    0,
  );
  const alphaX = linearScale(alphaLo, 1, nameWidth + column, nameWidth + 2 * column - 36);
  const biases = annotators.flatMap((a) => [a.median_onset_bias_frames, a.median_offset_bias_frames]).filter((b): b is number => b !== null);
  const biasMax = Math.max(2, ...biases.map((b) => Math.ceil(Math.abs(b))));
  const biasX = linearScale(-biasMax, biasMax, nameWidth + 2 * column, width - 20);
  const bottom = top + annotators.length * rowHeight;
  const axis = (ticks: number[], scale: (v: number) => number, title: string, format: (t: number) => string) => (
    <g className="plot-axis plot-axis-x">
      <text className="plot-label" x={(scale(ticks[0] ?? 0) + scale(ticks.at(-1) ?? 0)) / 2} y={12} textAnchor="middle">
        {title}
      </text>
      <line x1={scale(ticks[0] ?? 0)} x2={scale(ticks.at(-1) ?? 0)} y1={bottom} y2={bottom} />
      {ticks.map((tick) => (
        <g key={tick} transform={`translate(${scale(tick)},${bottom})`}>
          <line className="plot-grid" y1={top - bottom} y2={0} />
          <line y1={0} y2={4} />
          <text y={16} textAnchor="middle">
            {format(tick)}
          </text>
        </g>
      ))}
    </g>
  );
  return (
    <svg className="plot" viewBox={`0 0 ${width} ${height}`} role="img" aria-label="Reliability per annotator" data-testid="reliability-plot">
      {axis([0, 0.5, 1], f1X, "leave-one-out F1", (t) => t.toFixed(1))}
      {axis(niceTicks(alphaLo, 1, 3), alphaX, "α of the others without them", (t) => t.toFixed(1))}
      {axis(niceTicks(-biasMax, biasMax, 4), biasX, "bias, frames (− early, + late)", (t) => formatSigned(t, 0))}
      {annotators.map((row, index) => {
        const y = top + index * rowHeight;
        const mid = y + rowHeight / 2;
        const f1 = row.leave_one_out_f1;
        const alpha = row.mean_frame_alpha_without;
        const bar = (value: number | null, from: number, scale: (v: number) => number, className: string, offset: number, height: number) => {
          if (value === null) return null;
          const a = scale(from);
          const b = scale(value);
          return <rect className={className} x={Math.min(a, b)} y={y + offset} width={Math.max(1, Math.abs(b - a))} height={height} />;
        };
        return (
          <g key={row.annotator} data-testid="reliability-row" data-annotator={row.annotator}>
            <title>
              {`${row.annotator}: leave-one-out F1 ${formatFigure(f1)} · α without ${formatFigure(alpha)} · onset bias ${formatSigned(row.median_onset_bias_frames)} · offset bias ${formatSigned(row.median_offset_bias_frames)} frames · ${row.submitted}/${row.passes} passes submitted`}
            </title>
            <a href={`#${row.annotator}`} data-testid="reliability-annotator" {...activate(() => onOpen(row.annotator))}>
              <text className="plot-text plot-link" x={nameWidth - 10} y={mid} dy="0.32em" textAnchor="end">
                {row.annotator}
              </text>
            </a>
            {bar(f1, 0, f1X, "plot-bar plot-bar-f1", 7, rowHeight - 14)}
            {f1 === null && (
              <text className="plot-text muted" x={f1X(0) + 4} y={mid} dy="0.32em">
                undefined
              </text>
            )}
            {bar(alpha, Math.max(0, alphaLo), alphaX, "plot-bar plot-bar-alpha", 7, rowHeight - 14)}
            {alpha === null && (
              <text className="plot-text muted" x={alphaX(alphaLo) + 4} y={mid} dy="0.32em">
                undefined
              </text>
            )}
            {bar(row.median_onset_bias_frames, 0, biasX, "plot-bar plot-bar-onset", 5, 9)}
            {bar(row.median_offset_bias_frames, 0, biasX, "plot-bar plot-bar-offset", rowHeight - 14, 9)}
          </g>
        );
      })}
      <line className="plot-zero" x1={biasX(0)} x2={biasX(0)} y1={top} y2={bottom} />
      <g className="plot-legend" transform={`translate(${nameWidth + 2 * column},${height - 6})`}>
        <rect className="plot-bar-onset" width={10} height={8} y={-8} />
        <text x={14}>onset</text>
        <rect className="plot-bar-offset" x={60} width={10} height={8} y={-8} />
        <text x={74}>offset</text>
      </g>
    </svg>
  );
}

// -- boundary deviations --------------------------------------------------------------------

export function BoundaryHistogram({ clip, bins }: { clip: number; bins: readonly HistogramBin[] }) {
  const total = bins.reduce((sum, bin) => sum + bin.onset + bin.offset, 0);
  if (total === 0) return <EmptyPlot />;
  const frame: Frame = { width: 860, height: 240, left: 48, right: 12, top: 12, bottom: 40 };
  const x = linearScale(-clip - 0.5, clip + 0.5, frame.left, frame.width - frame.right);
  const most = Math.max(1, ...bins.map((bin) => Math.max(bin.onset, bin.offset)));
  const yTicks = niceTicks(0, most, 4).filter((t) => Number.isInteger(t));
  const yMax = Math.max(most, yTicks.at(-1) ?? most);
  const y = linearScale(0, yMax, frame.height - frame.bottom, frame.top);
  const slot = x(1) - x(0);
  const label = (t: number) => (t === -clip ? `≤${formatSigned(t, 0)}` : t === clip ? `≥${formatSigned(t, 0)}` : formatSigned(t, 0));
  return (
    <svg className="plot" viewBox={`0 0 ${frame.width} ${frame.height}`} role="img" aria-label="Boundary deviations from the consensus" data-testid="boundary-histogram">
      <YAxis frame={frame} ticks={yTicks} y={y} label="boundaries" />
      <XAxis frame={frame} ticks={niceTicks(-clip, clip, 6).filter((t) => Number.isInteger(t))} x={x} label="deviation from the consensus, frames (− early)" format={label} />
      {bins.map((bin) => (
        <g key={bin.deviation}>
          <rect className="plot-bar plot-bar-onset" data-testid="histogram-bar-onset" x={x(bin.deviation) - slot * 0.42} y={y(bin.onset)} width={slot * 0.4} height={y(0) - y(bin.onset)}>
            <title>{`onset ${label(bin.deviation)} frames: ${bin.onset}`}</title>
          </rect>
          <rect className="plot-bar plot-bar-offset" data-testid="histogram-bar-offset" x={x(bin.deviation) + slot * 0.02} y={y(bin.offset)} width={slot * 0.4} height={y(0) - y(bin.offset)}>
            <title>{`offset ${label(bin.deviation)} frames: ${bin.offset}`}</title>
          </rect>
        </g>
      ))}
      <g className="plot-legend" transform={`translate(${frame.left + 8},${frame.top + 10})`}>
        <rect className="plot-bar-onset" width={10} height={8} y={-8} />
        <text x={14}>onset</text>
        <rect className="plot-bar-offset" x={60} width={10} height={8} y={-8} />
        <text x={74}>offset</text>
      </g>
    </svg>
  );
}

// -- series over passes ---------------------------------------------------------------------

export interface Series {
  name: string;
  className: string;
  values: readonly (number | null)[];
}

/** Values per pass in order (x = the pass's rank), one line per series; gaps where null. */
export function SeriesPlot({ series, labels, yLabel, domain, zeroLine = false, testId }: { series: readonly Series[]; labels: readonly string[]; yLabel: string; domain?: [number, number]; zeroLine?: boolean; testId: string }) {
  const count = labels.length;
  const values = series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  if (count === 0 || values.length === 0) return <EmptyPlot>No submitted passes with agreement figures yet.</EmptyPlot>;
  const frame: Frame = { width: 640, height: 220, left: 48, right: 12, top: 12, bottom: 40 };
  const lo = domain ? domain[0] : Math.floor(Math.min(0, ...values));
  const hi = domain ? domain[1] : Math.ceil(Math.max(1, ...values));
  const y = linearScale(lo, hi, frame.height - frame.bottom, frame.top);
  const x = linearScale(0.5, count + 0.5, frame.left, frame.width - frame.right);
  const xTicks = niceTicks(1, count, Math.min(count, 8)).filter((t) => Number.isInteger(t) && t >= 1);
  return (
    <svg className="plot" viewBox={`0 0 ${frame.width} ${frame.height}`} role="img" aria-label={yLabel} data-testid={testId}>
      <YAxis frame={frame} ticks={niceTicks(lo, hi, 5)} y={y} label={yLabel} format={(t) => (Number.isInteger(t) ? String(t) : t.toFixed(1))} />
      <XAxis frame={frame} ticks={xTicks} x={x} label="submitted passes, in order" />
      {zeroLine && <line className="plot-zero" x1={frame.left} x2={frame.width - frame.right} y1={y(0)} y2={y(0)} />}
      {series.map((s) => {
        const points = s.values.map((value, index) => (value === null ? null : ([x(index + 1), y(value)] as const)));
        const path = points.reduce((d, point, index) => (point === null ? d : `${d}${index === 0 || points[index - 1] === null ? "M" : "L"}${point[0]},${point[1]}`), "");
        return (
          <g key={s.name} className={`plot-series ${s.className}`}>
            <path d={path} fill="none" />
            {points.map((point, index) =>
              point === null ? null : (
                <circle key={index} data-testid={`${testId}-point`} cx={point[0]} cy={point[1]} r={3.5}>
                  <title>{`${labels[index]}: ${s.name} ${formatFigure(s.values[index], 2)}`}</title>
                </circle>
              ),
            )}
          </g>
        );
      })}
      <g className="plot-legend" transform={`translate(${frame.left + 8},${frame.top + 10})`}>
        {series.map((s, index) => (
          <g key={s.name} className={s.className} transform={`translate(${index * 90},0)`}>
            <rect width={10} height={8} y={-8} />
            <text x={14}>{s.name}</text>
          </g>
        ))}
      </g>
    </svg>
  );
}

// -- pairwise F1 as a heat map --------------------------------------------------------------

/** A cell's background: white at 0, the accent colour at 1. */
export function heat(value: number | null): string | undefined {
  if (value === null) return undefined;
  const share = Math.min(Math.max(value, 0), 1);
  return `rgba(47, 95, 208, ${(0.08 + share * 0.72).toFixed(2)})`;
}
