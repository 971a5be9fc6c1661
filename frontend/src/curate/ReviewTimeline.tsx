import { memo, useRef, type MouseEvent as ReactMouseEvent } from "react";
import { typeColour } from "../annotate/Timeline";
import { isDisputed, type DraftSegment } from "./adjudicate";
import { niceTicks } from "./plots";
import type { PassSegment, VideoPass } from "./types";

interface ReviewTimelineProps {
  nFrames: number;
  frame: number | null;
  passes: readonly VideoPass[];
  consensus: readonly DraftSegment[];
  consensusLabel: string;
  selectedKey: string | null;
  pickedId: number | null;
  unmatched: ReadonlySet<number>;
  types: readonly string[];
  onSeek: (frame: number) => void;
  onConsensusClick: (segment: DraftSegment) => void;
  onPassClick: (segment: PassSegment, shift: boolean) => void;
}

/** The share of the timeline's width from frame 0 to the start of `frame`, in percent. */
export function percentAt(frame: number, nFrames: number): number {
  return (frame / Math.max(1, nFrames)) * 100;
}

/**
 * One timeline with a row per pass and a row for the consensus draft, the whole video across the
 * width. Disagreements are marked: consensus segments that are flagged or not supported by every
 * pass, and pass segments that belong to no consensus segment.
 */
export function ReviewTimeline(props: ReviewTimelineProps) {
  const { nFrames, frame, passes, consensus, consensusLabel, selectedKey, pickedId, unmatched, types, onSeek, onConsensusClick, onPassClick } = props;
  const tracksRef = useRef<HTMLDivElement>(null);
  const last = Math.max(0, nFrames - 1);

  function seekAt(event: ReactMouseEvent<HTMLDivElement>) {
    const box = event.currentTarget.getBoundingClientRect();
    if (box.width <= 0) return;
    const share = (event.clientX - box.left) / box.width;
    onSeek(Math.min(last, Math.max(0, Math.floor(share * nFrames))));
  }

  return (
    <div className="review-timeline" data-testid="review-timeline" data-frames={nFrames}>
      <div className="review-row review-ruler-row" aria-hidden="true">
        <span className="review-row-label" />
        <div className="review-track review-ruler">
          {niceTicks(0, last, 10)
            .filter((tick) => Number.isInteger(tick) && tick <= last)
            .map((tick) => (
              <span key={tick} className="review-tick" style={{ left: `${percentAt(tick, nFrames)}%` }}>
                {tick}
              </span>
            ))}
        </div>
      </div>
      <div ref={tracksRef}>
        {passes.map((pass) => (
          <div className="review-row" key={pass.assignment} data-testid="pass-row" data-annotator={pass.annotator}>
            <span className="review-row-label" title={`Pass ${pass.pass_index} · ${pass.status}`}>
              {pass.annotator}
              {pass.status !== "submitted" && <span className="muted"> ({pass.status})</span>}
            </span>
            <div className="review-track" onClick={seekAt}>
              <PassBars segments={pass.segments} nFrames={nFrames} unmatched={unmatched} pickedId={pickedId} types={types} onClick={onPassClick} />
              <Playhead frame={frame} nFrames={nFrames} />
            </div>
          </div>
        ))}
        <div className="review-row review-row-consensus" data-testid="consensus-row-track">
          <span className="review-row-label">{consensusLabel}</span>
          <div className="review-track" onClick={seekAt}>
            {consensus.map((segment) => {
              const disputed = isDisputed(segment);
              const classes = ["review-bar", "review-bar-consensus"];
              if (disputed) classes.push("review-bar-disputed");
              if (segment.needs_curator) classes.push("review-bar-flagged");
              if (segment.key === selectedKey) classes.push("review-bar-selected");
              return (
                <button
                  type="button"
                  tabIndex={-1}
                  key={segment.key}
                  className={classes.join(" ")}
                  data-testid="consensus-segment"
                  data-key={segment.key}
                  data-onset={segment.onset}
                  data-offset={segment.offset}
                  data-disputed={disputed ? "true" : "false"}
                  data-flagged={segment.needs_curator ? "true" : "false"}
                  aria-pressed={segment.key === selectedKey}
                  title={`${segment.type || "no type"} ${segment.emotion} · ${segment.onset}–${segment.offset} · support ${segment.support}/${segment.n_passes}${segment.needs_curator ? ` · needs a curator: ${segment.reasons.join(", ") || "flagged"}` : ""}`}
                  style={{
                    left: `${percentAt(segment.onset, nFrames)}%`,
                    width: `max(3px, ${percentAt(segment.offset - segment.onset + 1, nFrames)}%)`,
                    background: typeColour(types, segment.type),
                  }}
                  onClick={(event) => {
                    event.stopPropagation();
                    onConsensusClick(segment);
                  }}
                />
              );
            })}
            <Playhead frame={frame} nFrames={nFrames} />
          </div>
        </div>
      </div>
    </div>
  );
}

const PassBars = memo(function PassBars({
  segments,
  nFrames,
  unmatched,
  pickedId,
  types,
  onClick,
}: {
  segments: readonly PassSegment[];
  nFrames: number;
  unmatched: ReadonlySet<number>;
  pickedId: number | null;
  types: readonly string[];
  onClick: (segment: PassSegment, shift: boolean) => void;
}) {
  return (
    <>
      {segments.map((segment) => {
        const classes = ["review-bar"];
        const lonely = unmatched.has(segment.id);
        if (lonely) classes.push("review-bar-unmatched");
        if (segment.id === pickedId) classes.push("review-bar-picked");
        return (
          <button
            type="button"
            tabIndex={-1}
            key={segment.id}
            className={classes.join(" ")}
            data-testid="pass-segment"
            data-segment-id={segment.id}
            data-onset={segment.onset}
            data-offset={segment.offset}
            data-unmatched={lonely ? "true" : "false"}
            title={`${segment.type} ${segment.emotion} · ${segment.onset}–${segment.offset}${lonely ? " · in no consensus segment" : ""} · Shift+click, then n, to add it to the consensus`}
            style={{
              left: `${percentAt(segment.onset, nFrames)}%`,
              width: `max(3px, ${percentAt(segment.offset - segment.onset + 1, nFrames)}%)`,
              background: typeColour(types, segment.type),
            }}
            onClick={(event) => {
              event.stopPropagation();
              onClick(segment, event.shiftKey);
            }}
          />
        );
      })}
    </>
  );
});

function Playhead({ frame, nFrames }: { frame: number | null; nFrames: number }) {
  if (frame === null) return null;
  return <span className="review-playhead" aria-hidden="true" style={{ left: `${percentAt(frame, nFrames)}%`, width: `max(2px, ${percentAt(1, nFrames)}%)` }} />;
}
