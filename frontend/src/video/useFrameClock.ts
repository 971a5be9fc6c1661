import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import { clampFrame, frameContainingTime, frameFromMediaTime, seekTimeForFrame, type FrameRate } from "./frames";

/** How long after a seek the player waits for the presented frame before trusting the clock. */
export const PRESENTATION_GRACE_MS = 300;

export interface FrameClock {
  /** The frame the browser presented last; null until one has been. */
  frame: number | null;
  /** The frame asked for and not yet presented, else the presented one. */
  targetFrame: () => number | null;
  /** Pause and show frame `n` (clamped to the video). */
  showFrame: (n: number) => void;
  /** Pause and move `delta` frames from where the player is (or is going). */
  step: (delta: number) => void;
  playing: boolean;
  togglePlay: () => void;
}

function supportsFrameCallbacks(video: HTMLVideoElement): boolean {
  return typeof video.requestVideoFrameCallback === "function";
}

/**
 * The frame a `<video>` shows, read the only reliable way: from `requestVideoFrameCallback`
 * metadata, `round(mediaTime * fps)`. Seeks aim at the middle of a frame.
 *
 * Fallbacks, for browsers without frame callbacks or a seek after which none comes (the same
 * frame shown again): the frame is computed from `currentTime` after `seeked`, which is exact
 * for the times this hook sets itself.
 */
export function useFrameClock(videoRef: RefObject<HTMLVideoElement | null>, rate: FrameRate, nFrames: number): FrameClock {
  const [frame, setFrame] = useState<number | null>(null);
  const [playing, setPlaying] = useState(false);
  // The frame most recently asked for, until the browser has presented a frame after the seek.
  const target = useRef<number | null>(null);
  // The presented frame as soon as the browser reports it, ahead of React's next render: a key
  // pressed right after a presentation steps from that frame, not from the one rendered last.
  const frameRef = useRef<number | null>(null);
  const present = useCallback((n: number) => {
    frameRef.current = n;
    setFrame(n);
  }, []);

  // The presented-frame loop.
  useEffect(() => {
    const video = videoRef.current;
    if (!video || !supportsFrameCallbacks(video)) return;
    let handle = 0;
    let active = true;
    const onFrame = (_now: number, metadata: VideoFrameCallbackMetadata) => {
      if (!active) return;
      present(clampFrame(frameFromMediaTime(metadata.mediaTime, rate), nFrames));
      if (!video.seeking) target.current = null;
      handle = video.requestVideoFrameCallback(onFrame);
    };
    handle = video.requestVideoFrameCallback(onFrame);
    return () => {
      active = false;
      video.cancelVideoFrameCallback(handle);
    };
  }, [videoRef, rate, nFrames, present]);

  // Playing state, and the fallbacks.
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const frameCallbacks = supportsFrameCallbacks(video);
    let timer: number | undefined;
    const fromClock = () => {
      present(clampFrame(frameContainingTime(video.currentTime, rate), nFrames));
      target.current = null;
    };
    const onSeeked = () => {
      if (!frameCallbacks) {
        fromClock();
        return;
      }
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        // No frame was presented since the seek finished: the browser showed nothing new.
        if (target.current !== null && !video.seeking) fromClock();
      }, PRESENTATION_GRACE_MS);
    };
    const onTimeUpdate = () => {
      if (!frameCallbacks && !video.paused && !video.seeking) fromClock();
    };
    const onPlay = () => {
      target.current = null;
      setPlaying(true);
    };
    const onPause = () => setPlaying(false);
    video.addEventListener("seeked", onSeeked);
    video.addEventListener("timeupdate", onTimeUpdate);
    video.addEventListener("play", onPlay);
    video.addEventListener("pause", onPause);
    video.addEventListener("ended", onPause);
    return () => {
      window.clearTimeout(timer);
      video.removeEventListener("seeked", onSeeked);
      video.removeEventListener("timeupdate", onTimeUpdate);
      video.removeEventListener("play", onPlay);
      video.removeEventListener("pause", onPause);
      video.removeEventListener("ended", onPause);
    };
  }, [videoRef, rate, nFrames, present]);

  const showFrame = useCallback(
    (n: number) => {
      const video = videoRef.current;
      if (!video) return;
      const wanted = clampFrame(n, nFrames);
      if (!video.paused) video.pause();
      target.current = wanted;
      video.currentTime = seekTimeForFrame(wanted, rate);
    },
    [videoRef, rate, nFrames],
  );

  const targetFrame = useCallback(() => target.current ?? frameRef.current, []);

  const step = useCallback(
    (delta: number) => {
      const video = videoRef.current;
      // While playing, from the frame on screen; while paused, from where the last seek goes.
      const from = video && !video.paused ? frameRef.current : (target.current ?? frameRef.current);
      showFrame((from ?? 0) + delta);
    },
    [videoRef, showFrame],
  );

  const togglePlay = useCallback(() => {
    const video = videoRef.current;
    if (!video) return;
    if (video.paused || video.ended) {
      target.current = null;
      video.play()?.catch(() => undefined);
    } else {
      video.pause();
    }
  }, [videoRef]);

  return { frame, targetFrame, showFrame, step, playing, togglePlay };
}
