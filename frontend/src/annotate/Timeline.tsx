import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState, type MutableRefObject, type PointerEvent as ReactPointerEvent } from "react";
import { videoUrls } from "../api/endpoints";
import type { SpriteSheet } from "../video/frames";
import type { Segment } from "./editor";

export const MIN_ZOOM = 1;
export const MAX_FRAME_WIDTH = 48;
const THUMB_HEIGHT = 44;
/** The height of the timeline's content (as in the stylesheet), and with a row of proposals. */
const CONTENT_HEIGHT = 128;
const GHOST_ROW_HEIGHT = 30;

/** A model proposal drawn as a ghost interval (assisted passes). */
export interface Ghost {
  id: number;
  onset: number;
  offset: number;
  type: string;
  score: number;
}

export function ghostLabel(ghost: Ghost): string {
  return `${ghost.type} · score ${ghost.score.toFixed(2)}`;
}

/** The colour of each expression type, in schema order. */
export const TYPE_COLOURS = ["#2f5fd0", "#d9480f", "#2b8a3e", "#862e9c", "#c2255c", "#1098ad"];

export function typeColour(types: readonly string[], type: string): string {
  const index = types.indexOf(type);
  return index < 0 ? "#6b7280" : (TYPE_COLOURS[index % TYPE_COLOURS.length] ?? "#6b7280");
}

/** The frame under `x` pixels from the start of the content, at `frameWidth` pixels a frame. */
export function frameAtX(x: number, frameWidth: number, nFrames: number): number {
  const frame = Math.floor(x / frameWidth);
  return Math.min(Math.max(frame, 0), Math.max(0, nFrames - 1));
}

/** The largest zoom: a frame `MAX_FRAME_WIDTH` pixels wide. */
export function maxZoom(viewWidth: number, nFrames: number): number {
  if (viewWidth <= 0 || nFrames <= 0) return MIN_ZOOM;
  return Math.max(MIN_ZOOM, (MAX_FRAME_WIDTH * nFrames) / viewWidth);
}

interface Drag {
  clientId: string;
  edge: "onset" | "offset";
  frame: number;
}

interface TimelineProps {
  videoId: number;
  sprite: SpriteSheet | null;
  nFrames: number;
  frame: number | null;
  segments: readonly Segment[];
  selectedId: string | null;
  types: readonly string[];
  invalidIds: ReadonlySet<string>;
  readOnly: boolean;
  zoom: number;
  onZoom: (zoom: number) => void;
  onSeek: (frame: number) => void;
  onSelect: (clientId: string) => void;
  onEdges: (clientId: string, onset: number, offset: number) => void;
  /** Proposals to review, drawn as ghosts in a row of their own; absent in blind passes. */
  ghosts?: readonly Ghost[] | null;
  currentGhostId?: number | null;
  onGhost?: (id: number) => void;
}

/**
 * The pass on a time axis: sprite thumbnails, a ruler, the segments as bars with draggable
 * edges, and the playhead. A frame is `frameWidth` pixels wide (the whole video fits at zoom 1);
 * a click seeks to the frame under the pointer, a drag of an edge snaps to whole frames.
 */
export function Timeline(props: TimelineProps) {
  const { videoId, sprite, nFrames, frame, segments, selectedId, types, invalidIds, readOnly, zoom, onZoom, onSeek, onSelect, onEdges } = props;
  const { ghosts, currentGhostId = null, onGhost } = props;
  const scrollerRef = useRef<HTMLDivElement>(null);
  const contentRef = useRef<HTMLDivElement>(null);
  const [viewWidth, setViewWidth] = useState(0);
  const [drag, setDrag] = useState<Drag | null>(null);
  const frames = Math.max(1, nFrames);
  const frameWidth = viewWidth > 0 ? (viewWidth * zoom) / frames : 0;
  const contentWidth = frameWidth * frames;

  useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    const measure = () => setViewWidth(scroller.clientWidth);
    measure();
    if (typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(measure);
    observer.observe(scroller);
    return () => observer.disconnect();
  }, []);

  // Ctrl+wheel zooms around the pointer; a plain vertical wheel scrolls along the time axis.
  const zoomRef = useRef({ zoom, frameWidth, onZoom, viewWidth });
  zoomRef.current = { zoom, frameWidth, onZoom, viewWidth };
  const anchorRef = useRef<{ frame: number; offsetX: number } | null>(null);
  useEffect(() => {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    const onWheel = (event: WheelEvent) => {
      const current = zoomRef.current;
      if (event.ctrlKey || event.metaKey) {
        event.preventDefault();
        if (current.frameWidth <= 0) return;
        const rect = scroller.getBoundingClientRect();
        const offsetX = event.clientX - rect.left;
        anchorRef.current = { frame: (scroller.scrollLeft + offsetX) / current.frameWidth, offsetX };
        const factor = event.deltaY < 0 ? 1.25 : 0.8;
        current.onZoom(current.zoom * factor);
      } else if (Math.abs(event.deltaY) > Math.abs(event.deltaX) && scroller.scrollWidth > scroller.clientWidth) {
        event.preventDefault();
        scroller.scrollLeft += event.deltaY;
      }
    };
    scroller.addEventListener("wheel", onWheel, { passive: false });
    return () => scroller.removeEventListener("wheel", onWheel);
  }, []);

  // After a zoom: keep the anchored frame under the pointer, or the playhead in view.
  useLayoutEffect(() => {
    const scroller = scrollerRef.current;
    if (!scroller || frameWidth <= 0) return;
    const anchor = anchorRef.current;
    anchorRef.current = null;
    if (anchor) scroller.scrollLeft = anchor.frame * frameWidth - anchor.offsetX;
    else if (frame !== null) scroller.scrollLeft = (frame + 0.5) * frameWidth - scroller.clientWidth / 2;
  }, [zoom]);

  // Follow the playhead when it leaves the visible part.
  useEffect(() => {
    const scroller = scrollerRef.current;
    if (!scroller || frame === null || frameWidth <= 0 || drag) return;
    const left = frame * frameWidth;
    const right = left + frameWidth;
    if (left < scroller.scrollLeft || right > scroller.scrollLeft + scroller.clientWidth) {
      scroller.scrollLeft = Math.max(0, left - scroller.clientWidth * 0.3);
    }
  }, [frame, frameWidth, drag]);

  function frameAtClient(clientX: number): number {
    const content = contentRef.current;
    if (!content || frameWidth <= 0) return 0;
    return frameAtX(clientX - content.getBoundingClientRect().left, frameWidth, nFrames);
  }

  function startDrag(event: ReactPointerEvent<HTMLElement>, segment: Segment, edge: "onset" | "offset") {
    if (readOnly || event.button !== 0) return;
    event.stopPropagation();
    event.preventDefault();
    (event.currentTarget as HTMLElement).setPointerCapture?.(event.pointerId);
    onSelect(segment.client_id);
    setDrag({ clientId: segment.client_id, edge, frame: edge === "onset" ? segment.onset : segment.offset });
  }

  function moveDrag(event: ReactPointerEvent<HTMLElement>) {
    if (!drag) return;
    const next = frameAtClient(event.clientX);
    if (next !== drag.frame) {
      setDrag({ ...drag, frame: next });
      onSeek(next);
    }
  }

  function endDrag(event: ReactPointerEvent<HTMLElement>) {
    if (!drag) return;
    event.stopPropagation();
    const segment = segments.find((s) => s.client_id === drag.clientId);
    setDrag(null);
    if (!segment) return;
    if (drag.edge === "onset") onEdges(segment.client_id, drag.frame, segment.offset);
    else onEdges(segment.client_id, segment.onset, drag.frame);
  }

  const handlers = useRef<BarHandlers>({ select: onSelect, start: startDrag, move: moveDrag, end: endDrag, cancel: () => setDrag(null) });
  handlers.current = { select: onSelect, start: startDrag, move: moveDrag, end: endDrag, cancel: () => setDrag(null) };

  const ruler = useMemo(() => {
    const tickStep = niceStep(frameWidth);
    const ticks: number[] = [];
    if (frameWidth > 0) for (let t = 0; t < frames; t += tickStep) ticks.push(t);
    return (
      <div className="annot-ruler" aria-hidden="true">
        {ticks.map((t) => (
          <span key={t} className="annot-tick" style={{ left: t * frameWidth }}>
            {t}
          </span>
        ))}
      </div>
    );
  }, [frameWidth, frames]);

  return (
    <div className="annot-timeline-wrap">
      <div
        className="annot-timeline"
        data-testid="timeline"
        data-frame-width={frameWidth}
        ref={scrollerRef}
        onPointerDown={(event) => {
          if (event.button !== 0) return;
          onSeek(frameAtClient(event.clientX));
        }}
      >
        <div
          className="annot-timeline-content"
          ref={contentRef}
          style={ghosts ? { width: contentWidth, height: CONTENT_HEIGHT + GHOST_ROW_HEIGHT } : { width: contentWidth }}
        >
          {ruler}
          {sprite && frameWidth > 0 && <Thumbnails videoId={videoId} sprite={sprite} frameWidth={frameWidth} nFrames={frames} />}
          <Bars
            segments={segments}
            selectedId={selectedId}
            types={types}
            invalidIds={invalidIds}
            readOnly={readOnly}
            frameWidth={frameWidth}
            drag={drag}
            handlers={handlers}
          />
          {ghosts && (
            <Ghosts ghosts={ghosts} currentId={currentGhostId} types={types} frameWidth={frameWidth} onGhost={onGhost} />
          )}
          {frame !== null && frameWidth > 0 && (
            <div
              className="annot-playhead"
              data-testid="timeline-playhead"
              aria-hidden="true"
              style={{ left: frame * frameWidth, width: Math.max(2, frameWidth) }}
            />
          )}
        </div>
      </div>
      <div className="annot-zoom">
        <button type="button" className="button button-small" aria-label="Zoom out" title="Zoom out (−)" onClick={() => onZoom(zoom / 1.5)}>
          −
        </button>
        <span className="mono muted" data-testid="timeline-zoom">
          {zoom < 10 ? zoom.toFixed(1) : Math.round(zoom)}×
        </span>
        <button type="button" className="button button-small" aria-label="Zoom in" title="Zoom in (+)" onClick={() => onZoom(zoom * 1.5)}>
          +
        </button>
        <span className="muted annot-zoom-hint">Ctrl+wheel to zoom · drag a bar's edge to move it</span>
      </div>
    </div>
  );
}

interface BarHandlers {
  select: (clientId: string) => void;
  start: (event: ReactPointerEvent<HTMLElement>, segment: Segment, edge: "onset" | "offset") => void;
  move: (event: ReactPointerEvent<HTMLElement>) => void;
  end: (event: ReactPointerEvent<HTMLElement>) => void;
  cancel: () => void;
}

interface BarsProps {
  segments: readonly Segment[];
  selectedId: string | null;
  types: readonly string[];
  invalidIds: ReadonlySet<string>;
  readOnly: boolean;
  frameWidth: number;
  drag: Drag | null;
  handlers: MutableRefObject<BarHandlers>;
}

/** The segments as bars: re-rendered when they change, not at every frame of the playhead. */
const Bars = memo(function Bars({ segments, selectedId, types, invalidIds, readOnly, frameWidth, drag, handlers }: BarsProps) {
  return (
    <div className="annot-track" role="list" aria-label="Segments on the timeline">
      {segments.map((segment) => {
        const dragging = drag?.clientId === segment.client_id ? drag : null;
        let onset = segment.onset;
        let offset = segment.offset;
        if (dragging) {
          if (dragging.edge === "onset") onset = dragging.frame;
          else offset = dragging.frame;
          if (onset > offset) [onset, offset] = [offset, onset];
        }
        const selected = segment.client_id === selectedId;
        const classes = ["annot-bar"];
        if (selected) classes.push("annot-bar-selected");
        if (invalidIds.has(segment.client_id)) classes.push("annot-bar-invalid");
        return (
          <div
            key={segment.client_id}
            role="listitem"
            className={classes.join(" ")}
            data-testid="timeline-segment"
            data-onset={onset}
            data-offset={offset}
            data-client-id={segment.client_id}
            title={`${segment.type || "no type"} ${segment.emotion} · ${onset}–${offset}`}
            style={{
              left: onset * frameWidth,
              width: Math.max(2, (offset - onset + 1) * frameWidth),
              background: typeColour(types, segment.type),
            }}
            onPointerDown={(event) => {
              if (event.button !== 0) return;
              handlers.current.select(segment.client_id);
            }}
          >
            {segment.apex !== null && (
              <span className="annot-bar-apex" style={{ left: (segment.apex - onset + 0.5) * frameWidth - 1 }} />
            )}
            {!readOnly && (
              <>
                <span
                  className="annot-edge annot-edge-onset"
                  data-testid="segment-edge-onset"
                  title="Drag the onset"
                  onPointerDown={(event) => handlers.current.start(event, segment, "onset")}
                  onPointerMove={(event) => handlers.current.move(event)}
                  onPointerUp={(event) => handlers.current.end(event)}
                  onPointerCancel={() => handlers.current.cancel()}
                />
                <span
                  className="annot-edge annot-edge-offset"
                  data-testid="segment-edge-offset"
                  title="Drag the offset"
                  onPointerDown={(event) => handlers.current.start(event, segment, "offset")}
                  onPointerMove={(event) => handlers.current.move(event)}
                  onPointerUp={(event) => handlers.current.end(event)}
                  onPointerCancel={() => handlers.current.cancel()}
                />
              </>
            )}
          </div>
        );
      })}
    </div>
  );
});

interface GhostsProps {
  ghosts: readonly Ghost[];
  currentId: number | null;
  types: readonly string[];
  frameWidth: number;
  onGhost: ((id: number) => void) | undefined;
}

/**
 * The proposals still to review, hatched and dashed under the segments' row. A press on one makes
 * it current (the page goes to its onset).
 */
const Ghosts = memo(function Ghosts({ ghosts, currentId, types, frameWidth, onGhost }: GhostsProps) {
  return (
    <div
      className="annot-ghost-track"
      role="list"
      aria-label="Model proposals on the timeline"
      style={{ position: "absolute", top: CONTENT_HEIGHT - 4, left: 0, right: 0, height: GHOST_ROW_HEIGHT }}
    >
      {ghosts.map((ghost) => {
        const colour = typeColour(types, ghost.type);
        const current = ghost.id === currentId;
        const label = ghostLabel(ghost);
        return (
          <div
            key={ghost.id}
            role="listitem"
            className={current ? "annot-ghost annot-ghost-current" : "annot-ghost"}
            data-testid="timeline-ghost"
            data-proposal-id={ghost.id}
            data-onset={ghost.onset}
            data-offset={ghost.offset}
            data-type={ghost.type}
            data-current={current ? "true" : "false"}
            title={`Proposal: ${label} · ${ghost.onset}–${ghost.offset}`}
            aria-label={`Proposal ${ghost.type}, frames ${ghost.onset} to ${ghost.offset}, score ${ghost.score.toFixed(2)}`}
            aria-current={current || undefined}
            style={{
              position: "absolute",
              top: 3,
              height: GHOST_ROW_HEIGHT - 8,
              left: ghost.onset * frameWidth,
              width: Math.max(2, (ghost.offset - ghost.onset + 1) * frameWidth),
              boxSizing: "border-box",
              border: `${current ? 2 : 1}px ${current ? "solid" : "dashed"} ${colour}`,
              borderRadius: 4,
              background: `repeating-linear-gradient(135deg, ${colour}40 0 4px, transparent 4px 8px)`,
              opacity: current ? 1 : 0.75,
              color: colour,
              fontSize: 10,
              lineHeight: `${GHOST_ROW_HEIGHT - 12}px`,
              paddingLeft: 3,
              overflow: "hidden",
              whiteSpace: "nowrap",
              cursor: "pointer",
              zIndex: current ? 2 : 1,
            }}
            onPointerDown={(event) => {
              if (event.button !== 0 || !onGhost) return;
              // The page makes it current and goes to its onset: no seek to the pointer.
              event.stopPropagation();
              onGhost(ghost.id);
            }}
          >
            {label}
          </div>
        );
      })}
    </div>
  );
});

/** A tick every 1, 2, 5, 10, 20, 50 … frames, at least 60 pixels apart. */
export function niceStep(frameWidth: number): number {
  if (frameWidth <= 0) return 1;
  const minimum = 60 / frameWidth;
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const base of [1, 2, 5]) if (base * magnitude >= minimum) return base * magnitude;
  }
}

const Thumbnails = memo(function Thumbnails({ videoId, sprite, frameWidth, nFrames }: { videoId: number; sprite: SpriteSheet; frameWidth: number; nFrames: number }) {
  const scale = THUMB_HEIGHT / sprite.tile_height;
  const url = videoUrls.sprite(videoId);
  return (
    <div className="annot-thumbs" aria-hidden="true">
      {sprite.frames.map((tileFrame, tile) => {
        const next = sprite.frames[tile + 1] ?? nFrames;
        const column = tile % sprite.columns;
        const row = Math.floor(tile / sprite.columns);
        return (
          <div
            key={tile}
            className="annot-thumb"
            style={{
              left: tileFrame * frameWidth,
              width: Math.max(1, (next - tileFrame) * frameWidth),
              backgroundImage: `url("${url}")`,
              backgroundSize: `${sprite.width * scale}px ${sprite.height * scale}px`,
              backgroundPosition: `${-column * sprite.tile_width * scale}px ${-row * sprite.tile_height * scale}px`,
            }}
          />
        );
      })}
    </div>
  );
});
