import { useEffect, useId, useRef, useState, type CSSProperties, type FormEvent, type ReactNode, type RefObject } from "react";
import { videoUrls } from "../api/endpoints";
import {
  formatFps,
  formatTimecodeFrames,
  formatTimecodeMs,
  type FrameRate,
  type SpriteSheet,
} from "./frames";
import { SpriteStrip } from "./SpriteStrip";
import { useFrameClock } from "./useFrameClock";

export const SPEEDS: readonly number[] = [0.1, 0.25, 0.5, 1, 2, 4];

interface VideoPlayerProps {
  videoId: number;
  rate: FrameRate;
  nFrames: number;
  width: number | null;
  height: number | null;
  sprite: SpriteSheet | null;
  /** The frame to show first. */
  initialFrame?: number;
}

/** Keys typed into these are text, not player commands. */
export function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) {
    return !["button", "checkbox", "radio", "range", "reset", "submit", "file", "color"].includes(target.type);
  }
  return false;
}

export function VideoPlayer({ videoId, rate, nFrames, width, height, sprite, initialFrame = 0 }: VideoPlayerProps) {
  const id = useId();
  const videoRef = useRef<HTMLVideoElement>(null);
  const regionRef = useRef<HTMLDivElement>(null);
  const clock = useFrameClock(videoRef, rate, nFrames);
  const { frame, showFrame, step, playing, togglePlay } = clock;
  const [speed, setSpeed] = useState(1);
  const [loadError, setLoadError] = useState<string | null>(null);
  const last = Math.max(0, nFrames - 1);

  // The keyboard drives the player wherever the focus is, except in a text field.
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (isTextEntry(event.target)) return;
      switch (event.key) {
        case " ":
          if (!event.repeat) togglePlay();
          break;
        case "ArrowRight":
          step(event.shiftKey ? 10 : 1);
          break;
        case "ArrowLeft":
          step(event.shiftKey ? -10 : -1);
          break;
        case "Home":
          showFrame(0);
          break;
        case "End":
          showFrame(last);
          break;
        default:
          return;
      }
      event.preventDefault();
    }
    // A Space on a focused button would also click it when the key comes up.
    function onKeyUp(event: KeyboardEvent) {
      if (event.key === " " && !isTextEntry(event.target) && !event.ctrlKey && !event.metaKey && !event.altKey) {
        event.preventDefault();
      }
    }
    window.addEventListener("keydown", onKeyDown);
    window.addEventListener("keyup", onKeyUp);
    return () => {
      window.removeEventListener("keydown", onKeyDown);
      window.removeEventListener("keyup", onKeyUp);
    };
  }, [togglePlay, step, showFrame, last]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    video.defaultPlaybackRate = speed;
    video.playbackRate = speed;
  }, [speed]);

  const aspect = width && height ? width / height : 16 / 9;

  return (
    <div className="player-layout">
      <div className="player" ref={regionRef} tabIndex={-1} aria-label="Video player">
        <div className="player-stage">
          <ProxyVideo
            videoRef={videoRef}
            videoId={videoId}
            aspect={aspect}
            speed={speed}
            className="player-video"
            onToggle={togglePlay}
            onReady={() => {
              setLoadError(null);
              showFrame(initialFrame);
            }}
            onError={() => setLoadError("The browser could not play this video's proxy.")}
          />
          {loadError && (
            <p className="player-error" role="alert">
              {loadError}
            </p>
          )}
        </div>

        <div className="player-bar">
          <div className="player-buttons" role="group" aria-label="Transport">
            <TransportButton label="First frame" keys="Home" onClick={() => showFrame(0)}>
              <EdgeIcon direction="first" />
            </TransportButton>
            <TransportButton label="Back 10 frames" keys="Shift+←" onClick={() => step(-10)}>
              −10
            </TransportButton>
            <TransportButton label="Previous frame" keys="←" onClick={() => step(-1)}>
              −1
            </TransportButton>
            <button
              type="button"
              className="button button-small button-primary player-play"
              data-testid="play-pause"
              onClick={togglePlay}
              title="Play or pause (Space)"
            >
              {playing ? "Pause" : "Play"}
            </button>
            <TransportButton label="Next frame" keys="→" onClick={() => step(1)}>
              +1
            </TransportButton>
            <TransportButton label="Forward 10 frames" keys="Shift+→" onClick={() => step(10)}>
              +10
            </TransportButton>
            <TransportButton label="Last frame" keys="End" onClick={() => showFrame(last)}>
              <EdgeIcon direction="last" />
            </TransportButton>
          </div>

          <FrameReadout frame={frame} last={last} rate={rate} />

          <SpeedSelect
            speed={speed}
            onChange={(value) => {
              setSpeed(value);
              // Back to the player: the arrow keys step frames, not speeds.
              regionRef.current?.focus({ preventScroll: true });
            }}
          />
        </div>

        {sprite && (
          <SpriteStrip videoId={videoId} sprite={sprite} frame={frame} nFrames={nFrames} onSelect={showFrame} />
        )}
      </div>

      <aside className="player-side">
        <div className="panel">
          <GoToFrame
            id={`${id}-goto`}
            last={last}
            onGo={(n) => {
              showFrame(n);
              // Back to the player, so that the arrow keys step again.
              regionRef.current?.focus({ preventScroll: true });
            }}
          />
          <p className="player-rate muted">
            {formatFps(rate)} fps · frames 0 to {last}
          </p>
        </div>
        <VerifyFrame videoId={videoId} frame={frame} />
        <Shortcuts />
      </aside>
    </div>
  );
}

const SHORTCUTS: readonly [string[], string][] = [
  [["Space"], "Play or pause"],
  [["←", "→"], "Step one frame"],
  [["Shift", "←", "→"], "Step ten frames"],
  [["Home", "End"], "First or last frame"],
];

function Shortcuts() {
  return (
    <section className="panel shortcuts" aria-label="Keyboard shortcuts">
      <h2 className="panel-title">Keyboard</h2>
      <dl>
        {SHORTCUTS.map(([keys, action]) => (
          <div key={action}>
            <dt>
              {keys.map((key) => (
                <kbd key={key}>{key}</kbd>
              ))}
            </dt>
            <dd>{action}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

interface TransportButtonProps {
  label: string;
  keys: string;
  onClick: () => void;
  children: ReactNode;
}

function TransportButton({ label, keys, onClick, children }: TransportButtonProps) {
  return (
    <button type="button" className="button button-small" onClick={onClick} aria-label={label} title={`${label} (${keys})`}>
      {children}
    </button>
  );
}

/** A bar and a triangle: to the first frame, or (mirrored) to the last. */
function EdgeIcon({ direction }: { direction: "first" | "last" }) {
  return (
    <svg
      className="icon"
      viewBox="0 0 16 16"
      width="14"
      height="14"
      aria-hidden="true"
      focusable="false"
      style={direction === "last" ? { transform: "scaleX(-1)" } : undefined}
    >
      <rect x="2.5" y="3" width="2" height="10" rx="0.5" fill="currentColor" />
      <path d="M13 3.6v8.8a.6.6 0 0 1-.92.5L5.6 8.5a.6.6 0 0 1 0-1l6.48-4.4a.6.6 0 0 1 .92.5Z" fill="currentColor" />
    </svg>
  );
}

export function GoToFrame({ id, last, onGo }: { id: string; last: number; onGo: (n: number) => void }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<string | null>(null);

  function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = value.trim();
    if (!/^\d+$/.test(text) || Number(text) > last) {
      setError(`Enter a frame from 0 to ${last}.`);
      return;
    }
    setError(null);
    onGo(Number(text));
  }

  return (
    <form className="goto" onSubmit={handleSubmit} noValidate aria-label="Go to frame">
      <label htmlFor={id}>Go to frame</label>
      <input
        id={id}
        data-testid="goto-frame-input"
        type="text"
        inputMode="numeric"
        pattern="[0-9]*"
        autoComplete="off"
        placeholder={`0–${last}`}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => setValue(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === "Escape") (event.target as HTMLInputElement).blur();
        }}
      />
      <button type="submit" className="button button-small" data-testid="goto-frame-submit">
        Go
      </button>
      {error && (
        <p className="field-error goto-error" id={`${id}-error`} role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

type VerifyState = "loading" | "loaded" | "error";

/** The server's own decode of a frame, beside the player, to check what the player shows. */
function VerifyFrame({ videoId, frame }: { videoId: number; frame: number | null }) {
  const [verified, setVerified] = useState<number | null>(null);
  const [state, setState] = useState<VerifyState>("loading");

  return (
    <section className="panel verify" aria-label="Verify frame">
      <h2 className="panel-title">Verify</h2>
      <p className="muted verify-hint">The server's exact decode of the frame, lossless, to compare with the player.</p>
      <div className="verify-head">
        <button
          type="button"
          className="button button-small"
          data-testid="verify-frame"
          disabled={frame === null}
          onClick={() => {
            if (frame === null) return;
            setState("loading");
            setVerified(frame);
          }}
        >
          Verify frame{frame === null ? "" : ` ${frame}`}
        </button>
      </div>
      {verified !== null && (
        <figure className="verify-figure">
          <img
            key={verified}
            data-testid="verify-frame-image"
            src={videoUrls.frame(videoId, verified, "png")}
            alt={`Frame ${verified} as decoded by the server`}
            onLoad={() => setState("loaded")}
            onError={() => setState("error")}
          />
          <figcaption>
            {state === "error" ? (
              <span className="field-error">Could not load frame {verified} from the server.</span>
            ) : (
              <>
                Frame <span className="mono">{verified}</span>
                {state === "loading" ? " · loading…" : " · PNG"}
                {frame !== null && frame !== verified && (
                  <span className="verify-stale"> · the player is now on frame {frame}</span>
                )}
              </>
            )}
          </figcaption>
        </figure>
      )}
    </section>
  );
}

/** The presented frame and its two timecodes (the frame-number test id reads digits only). */
export function FrameReadout({ frame, last, rate }: { frame: number | null; last: number; rate: FrameRate }) {
  return (
    <div className="player-readout" aria-live="off">
      <div className="readout-frame">
        <span className="readout-label">Frame</span>
        {frame === null ? (
          <span className="readout-value muted">…</span>
        ) : (
          <span className="readout-value mono" data-testid="frame-number">
            {frame}
          </span>
        )}
        <span className="readout-total mono muted">/ {last}</span>
      </div>
      <div className="readout-times">
        <span className="mono" data-testid="timecode" title="Presentation time (HH:MM:SS.mmm)">
          {frame === null ? "--:--:--.---" : formatTimecodeMs(frame, rate)}
        </span>
        <span className="mono muted" data-testid="timecode-frames" title="Timecode (HH:MM:SS:FF)">
          {frame === null ? "--:--:--:--" : formatTimecodeFrames(frame, rate)}
        </span>
      </div>
    </div>
  );
}

/** Playback speeds from 0.1x to 4x. */
export function SpeedSelect({ speed, onChange }: { speed: number; onChange: (speed: number) => void }) {
  return (
    <label className="player-speed" title="Playback speed">
      <span className="visually-hidden">Playback speed</span>
      <select data-testid="playback-speed" value={speed} onChange={(event) => onChange(Number(event.target.value))}>
        {SPEEDS.map((option) => (
          <option key={option} value={option}>
            {option}×
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * The browser proxy of a video: plays at `speed` from the moment its metadata is loaded, then
 * calls `onReady` (to show the first frame). Shared by the player, the annotator's and the
 * curator's pages.
 */
export function ProxyVideo({
  videoRef,
  videoId,
  aspect,
  speed,
  className,
  onToggle,
  onReady,
  onError,
}: {
  videoRef: RefObject<HTMLVideoElement | null>;
  videoId: number;
  aspect: number;
  speed: number;
  className: string;
  onToggle: () => void;
  onReady: () => void;
  onError?: () => void;
}) {
  return (
    <video
      ref={videoRef}
      className={className}
      data-testid="video-player"
      src={videoUrls.proxy(videoId)}
      preload="auto"
      playsInline
      style={{ aspectRatio: aspect, "--video-aspect": aspect } as CSSProperties}
      onClick={onToggle}
      onLoadedMetadata={() => {
        if (videoRef.current) {
          videoRef.current.defaultPlaybackRate = speed;
          videoRef.current.playbackRate = speed;
        }
        onReady();
      }}
      onError={onError}
    />
  );
}
