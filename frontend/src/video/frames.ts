/**
 * Frames and time, the player's side of the rule that everything else rests on.
 *
 * A video's timeline is its decoded frames numbered from 0. The browser proxy presents frame i
 * at time i / fps exactly, with fps the video's rational frame rate `num / den`, and the
 * browser reports a presented frame's `mediaTime` as that time rounded to the microsecond. So:
 *
 * - the presented frame is `round(mediaTime * fps)`: never `floor`, which is one frame early
 *   whenever the rounding went down (about a third of the frames at 29.97 fps);
 * - to show frame n, seek to the middle of its display interval, `(n + 0.5) / fps`, where no
 *   rounding of either side can land on a neighbour.
 *
 * Pure functions only: no DOM, no React, so that every value can be checked exactly.
 */

/** A frame rate as the rational the probe stored: `num / den` frames per second. */
export interface FrameRate {
  num: number;
  den: number;
}

/** The frame rate of a video's metadata, or null when it has none (not probed, or invalid). */
export function frameRateOf(video: { fps_num?: number | null; fps_den?: number | null }): FrameRate | null {
  const num = video.fps_num ?? 0;
  const den = video.fps_den ?? 0;
  if (!Number.isInteger(num) || !Number.isInteger(den) || num <= 0 || den <= 0) return null;
  return { num, den };
}

/** The frame rate as a number of frames per second. */
export function fpsValue(rate: FrameRate): number {
  return rate.num / rate.den;
}

/** Clamp frame `n` to the video's frames, `0 .. nFrames - 1` (and make it an integer). */
export function clampFrame(n: number, nFrames: number): number {
  const last = Math.max(0, nFrames - 1);
  if (Number.isNaN(n)) return 0;
  return Math.min(Math.max(Math.round(n), 0), last);
}

/**
 * The frame that the browser presented, from `requestVideoFrameCallback` metadata:
 * `round(mediaTime * fps)`.
 */
export function frameFromMediaTime(mediaTime: number, rate: FrameRate): number {
  // Multiply before dividing: mediaTime * num is the closest to the exact product.
  return Math.max(0, Math.round((mediaTime * rate.num) / rate.den));
}

/** The time to seek to in order to show frame `n`: the middle of its display interval. */
export function seekTimeForFrame(n: number, rate: FrameRate): number {
  return ((n + 0.5) * rate.den) / rate.num;
}

/**
 * The frame whose display interval contains time `t` (seconds), that is `floor(t * fps)`
 * written as `round(t * fps - 0.5)`. Only a fallback where no presented-frame metadata exists:
 * for a time this app set itself (`seekTimeForFrame`) it is exact, for any other time
 * (`currentTime` while playing) it is an estimate.
 */
export function frameContainingTime(t: number, rate: FrameRate): number {
  return Math.max(0, Math.round((t * rate.num) / rate.den - 0.5));
}

/** Integer division of non-negative safe integers, exactly. */
function divide(a: number, b: number): number {
  return (a - (a % b)) / b;
}

function pad(value: number, width = 2): string {
  return String(value).padStart(width, "0");
}

/** The presentation time of frame `n` in whole milliseconds, truncated, exactly. */
export function frameTimeMs(n: number, rate: FrameRate): number {
  return divide(n * rate.den * 1000, rate.num);
}

/**
 * Frame `n`'s presentation time as `HH:MM:SS.mmm` (truncated to the millisecond, so that the
 * seconds agree with `frameTimecode`).
 */
export function formatTimecodeMs(n: number, rate: FrameRate): string {
  const ms = frameTimeMs(n, rate);
  const seconds = divide(ms, 1000);
  return `${hhmmss(seconds)}.${pad(ms % 1000, 3)}`;
}

function hhmmss(totalSeconds: number): string {
  const hours = divide(totalSeconds, 3600);
  const minutes = divide(totalSeconds % 3600, 60);
  return `${pad(hours)}:${pad(minutes)}:${pad(totalSeconds % 60)}`;
}

/**
 * Frame `n` as `HH:MM:SS:FF`: the second its presentation time falls in, and FF its position
 * among the frames presented in that second (from 0).
 *
 * At a whole frame rate this is the usual non-drop timecode. At a fractional one (29.97,
 * 23.976) the seconds stay true to the clock instead of drifting, like drop-frame timecode,
 * and a second holds 29 or 30 frames; HH:MM:SS always matches `formatTimecodeMs`.
 */
export function formatTimecodeFrames(n: number, rate: FrameRate): string {
  const second = divide(n * rate.den, rate.num);
  // The first frame presented at or after the start of that second: ceil(second * fps).
  const first = divide(second * rate.num + rate.den - 1, rate.den);
  const digits = Math.max(2, String(Math.ceil(rate.num / rate.den) - 1).length);
  return `${hhmmss(second)}:${pad(n - first, digits)}`;
}

/** A frame rate for people: a decimal with at most three places (`29.97`, `23.976`, `30`). */
export function formatFps(rate: FrameRate | null): string {
  if (rate === null) return "—";
  return String(Number(fpsValue(rate).toFixed(3)));
}

/** A duration as `mm:ss` (`h:mm:ss` from one hour), rounded to the second. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "—";
  const total = Math.round(seconds);
  const hours = divide(total, 3600);
  const minutes = divide(total % 3600, 60);
  const rest = pad(total % 60);
  return hours > 0 ? `${hours}:${pad(minutes)}:${rest}` : `${pad(minutes)}:${rest}`;
}

const BYTE_UNITS = ["KiB", "MiB", "GiB", "TiB"];

/** A file size for people, in binary units (`1.5 MiB`), as the server's messages state limits. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return "—";
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** Where the sprite's tiles are: tile k at column k % columns, row k / columns, showing frames[k]. */
export interface SpriteSheet {
  columns: number;
  rows: number;
  tile_width: number;
  tile_height: number;
  width: number;
  height: number;
  frames: number[];
}

function positiveInteger(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value > 0;
}

/** The sprite description of a video's metadata, or null when it has none or it is malformed. */
export function parseSprite(value: unknown): SpriteSheet | null {
  if (typeof value !== "object" || value === null) return null;
  const record = value as Record<string, unknown>;
  const { columns, rows, tile_width, tile_height, width, height, frames } = record;
  if (
    !positiveInteger(columns) ||
    !positiveInteger(rows) ||
    !positiveInteger(tile_width) ||
    !positiveInteger(tile_height) ||
    !Array.isArray(frames) ||
    frames.length === 0 ||
    frames.length > columns * rows ||
    !frames.every((frame) => typeof frame === "number" && Number.isInteger(frame) && frame >= 0)
  ) {
    return null;
  }
  return {
    columns,
    rows,
    tile_width,
    tile_height,
    width: positiveInteger(width) ? width : columns * tile_width,
    height: positiveInteger(height) ? height : rows * tile_height,
    frames: frames as number[],
  };
}

/** The tile showing the latest sprite frame at or before frame `n` (0 before the first one). */
export function tileForFrame(sprite: SpriteSheet, n: number): number {
  let tile = 0;
  for (let k = 0; k < sprite.frames.length; k += 1) {
    if ((sprite.frames[k] ?? Infinity) <= n) tile = k;
    else break;
  }
  return tile;
}
