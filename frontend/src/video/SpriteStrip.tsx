import { useEffect, useRef } from "react";
import { videoUrls } from "../api/endpoints";
import { tileForFrame, type SpriteSheet } from "./frames";

/** Height of a tile on screen, in CSS pixels; the width keeps the sprite's aspect ratio. */
const TILE_HEIGHT = 48;

interface SpriteStripProps {
  videoId: number;
  sprite: SpriteSheet;
  frame: number | null;
  nFrames: number;
  onSelect: (frame: number) => void;
}

/**
 * The timeline as a strip of thumbnails cut from the sprite sheet, with the playhead's
 * position above it. A click on a tile shows the frame that the tile is a picture of.
 */
export function SpriteStrip({ videoId, sprite, frame, nFrames, onSelect }: SpriteStripProps) {
  const stripRef = useRef<HTMLDivElement>(null);
  const scale = TILE_HEIGHT / sprite.tile_height;
  const tileWidth = Math.round(sprite.tile_width * scale);
  const active = frame === null ? -1 : tileForFrame(sprite, frame);
  const last = Math.max(1, nFrames - 1);
  const position = frame === null ? 0 : Math.min(1, Math.max(0, frame / last));
  const url = videoUrls.sprite(videoId);

  // Keep the current tile in view, scrolling the strip only (never the page).
  useEffect(() => {
    const strip = stripRef.current;
    const tile = active < 0 ? null : (strip?.children[active] as HTMLElement | undefined);
    if (!strip || !tile) return;
    // The strip is positioned, so a tile's offsetLeft is measured from the strip's start.
    const left = tile.offsetLeft;
    if (left < strip.scrollLeft || left + tile.offsetWidth > strip.scrollLeft + strip.clientWidth) {
      strip.scrollLeft = Math.max(0, left - (strip.clientWidth - tile.offsetWidth) / 2);
    }
  }, [active]);

  return (
    <div className="timeline" data-testid="timeline">
      <div className="timeline-track" aria-hidden="true">
        <div className="timeline-fill" style={{ width: `${position * 100}%` }} />
      </div>
      <div className="timeline-strip" ref={stripRef} role="group" aria-label="Timeline thumbnails">
        {sprite.frames.map((tileFrame, tile) => {
          const column = tile % sprite.columns;
          const row = Math.floor(tile / sprite.columns);
          return (
            <button
              key={tile}
              type="button"
              tabIndex={-1}
              className={tile === active ? "timeline-tile timeline-tile-active" : "timeline-tile"}
              data-testid="timeline-tile"
              data-frame={tileFrame}
              title={`Frame ${tileFrame}`}
              aria-label={`Go to frame ${tileFrame}`}
              onClick={() => onSelect(tileFrame)}
              style={{
                width: tileWidth,
                height: TILE_HEIGHT,
                backgroundImage: `url("${url}")`,
                backgroundSize: `${sprite.width * scale}px ${sprite.height * scale}px`,
                backgroundPosition: `${-column * sprite.tile_width * scale}px ${-row * sprite.tile_height * scale}px`,
              }}
            />
          );
        })}
      </div>
    </div>
  );
}
