import { describe, expect, it } from "vitest";
import {
  clampFrame,
  formatBytes,
  formatDuration,
  formatFps,
  formatTimecodeFrames,
  formatTimecodeMs,
  frameContainingTime,
  frameFromMediaTime,
  frameRateOf,
  frameTimeMs,
  parseSprite,
  seekTimeForFrame,
  tileForFrame,
  type FrameRate,
} from "./frames";

const NTSC: FrameRate = { num: 30000, den: 1001 };
const FILM: FrameRate = { num: 24000, den: 1001 };
const PAL: FrameRate = { num: 25, den: 1 };
const THIRTY: FrameRate = { num: 30, den: 1 };

/** What the browser reports as a frame's mediaTime: i / fps rounded to the microsecond. */
function mediaTime(i: number, rate: FrameRate): number {
  return Math.round(((i * rate.den) / rate.num) * 1e6) / 1e6;
}

describe("frameFromMediaTime", () => {
  it.each([
    ["29.97", NTSC],
    ["23.976", FILM],
    ["25", PAL],
    ["30", THIRTY],
    ["59.94", { num: 60000, den: 1001 }],
  ])("returns frame i for every presented frame at %s fps", (_name, rate) => {
    for (let i = 0; i <= 10000; i += 1) {
      const frame = frameFromMediaTime(mediaTime(i, rate), rate);
      if (frame !== i) expect(frame).toBe(i);
    }
  });

  it("is right where floor would be off by one at 29.97 fps", () => {
    // Frame 1 is presented at 1001/30000 s = 0.0333666…, reported as 0.033367 (rounded up),
    // frame 2 at 0.0667333…, reported as 0.066733 (rounded down: floor says frame 1).
    expect(mediaTime(2, NTSC)).toBe(0.066733);
    expect(Math.floor(0.066733 * (30000 / 1001))).toBe(1);
    expect(frameFromMediaTime(0.066733, NTSC)).toBe(2);

    let floorWrong = 0;
    for (let i = 0; i <= 10000; i += 1) {
      const t = mediaTime(i, NTSC);
      if (Math.floor((t * 30000) / 1001) !== i) floorWrong += 1;
    }
    // About a third of the frames: floor is not a rounding detail, it is a wrong frame.
    expect(floorWrong).toBeGreaterThan(2500);
  });

  it("handles frames an hour and more into a 29.97 fps video", () => {
    for (const i of [107_892, 107_893, 215_784, 431_568, 1_000_000]) {
      expect(frameFromMediaTime(mediaTime(i, NTSC), NTSC)).toBe(i);
    }
  });

  it("never returns a negative frame", () => {
    expect(frameFromMediaTime(0, NTSC)).toBe(0);
    expect(frameFromMediaTime(-0.000001, NTSC)).toBe(0);
    expect(Object.is(frameFromMediaTime(0, NTSC), -0)).toBe(false);
  });
});

describe("seekTimeForFrame", () => {
  it("aims at the middle of the frame's display interval", () => {
    expect(seekTimeForFrame(0, THIRTY)).toBe(1 / 60);
    expect(seekTimeForFrame(42, THIRTY)).toBe(42.5 / 30);
    expect(seekTimeForFrame(0, NTSC)).toBe(0.5 * (1001 / 30000));
    expect(seekTimeForFrame(42, PAL)).toBe(1.7);
  });

  it("lands strictly inside frame n for every n at 29.97 fps", () => {
    for (let n = 0; n <= 10000; n += 1) {
      const t = seekTimeForFrame(n, NTSC);
      const start = (n * 1001) / 30000;
      const end = ((n + 1) * 1001) / 30000;
      if (!(t > start && t < end)) expect([n, t]).toBe("inside the frame");
      if (frameContainingTime(t, NTSC) !== n) expect(frameContainingTime(t, NTSC)).toBe(n);
    }
  });
});

describe("frameContainingTime", () => {
  it("is the frame whose interval holds the time", () => {
    expect(frameContainingTime(0, THIRTY)).toBe(0);
    expect(Object.is(frameContainingTime(0, THIRTY), -0)).toBe(false);
    expect(frameContainingTime(1 / 30, THIRTY)).toBe(1);
    expect(frameContainingTime(1.99 / 30, THIRTY)).toBe(1);
    expect(frameContainingTime(2, PAL)).toBe(50);
  });
});

describe("clampFrame", () => {
  it("keeps frames inside 0 .. n - 1", () => {
    expect(clampFrame(-3, 60)).toBe(0);
    expect(clampFrame(0, 60)).toBe(0);
    expect(clampFrame(59, 60)).toBe(59);
    expect(clampFrame(60, 60)).toBe(59);
    expect(clampFrame(1e9, 60)).toBe(59);
    expect(clampFrame(12.4, 60)).toBe(12);
    expect(clampFrame(Number.NaN, 60)).toBe(0);
    expect(clampFrame(5, 0)).toBe(0);
  });
});

describe("timecodes", () => {
  it("formats the presentation time in milliseconds, truncated", () => {
    expect(formatTimecodeMs(0, THIRTY)).toBe("00:00:00.000");
    expect(formatTimecodeMs(1, THIRTY)).toBe("00:00:00.033");
    expect(formatTimecodeMs(2, THIRTY)).toBe("00:00:00.066");
    expect(formatTimecodeMs(30, THIRTY)).toBe("00:00:01.000");
    expect(formatTimecodeMs(1, NTSC)).toBe("00:00:00.033");
    expect(formatTimecodeMs(30, NTSC)).toBe("00:00:01.001");
    expect(formatTimecodeMs(29, NTSC)).toBe("00:00:00.967");
    expect(formatTimecodeMs(107_892, NTSC)).toBe("00:59:59.996");
    expect(formatTimecodeMs(107_893, NTSC)).toBe("01:00:00.029");
    expect(formatTimecodeMs(10 * 3600 * 25 + 1, PAL)).toBe("10:00:00.040");
    expect(frameTimeMs(3, FILM)).toBe(125); // 3003 / 24 = 125.125 ms
  });

  it("formats HH:MM:SS:FF as the usual timecode at whole frame rates", () => {
    expect(formatTimecodeFrames(0, THIRTY)).toBe("00:00:00:00");
    expect(formatTimecodeFrames(29, THIRTY)).toBe("00:00:00:29");
    expect(formatTimecodeFrames(30, THIRTY)).toBe("00:00:01:00");
    expect(formatTimecodeFrames(42, THIRTY)).toBe("00:00:01:12");
    expect(formatTimecodeFrames(30 * 3661 + 7, THIRTY)).toBe("01:01:01:07");
    expect(formatTimecodeFrames(24, PAL)).toBe("00:00:00:24");
    expect(formatTimecodeFrames(25, PAL)).toBe("00:00:01:00");
    expect(formatTimecodeFrames(119, { num: 120, den: 1 })).toBe("00:00:00:119");
  });

  it("keeps the seconds true to the clock at 29.97 fps", () => {
    // Frame 29 is at 0.967 s, frame 30 at 1.001 s: the first of second 1.
    expect(formatTimecodeFrames(29, NTSC)).toBe("00:00:00:29");
    expect(formatTimecodeFrames(30, NTSC)).toBe("00:00:01:00");
    // One hour of 29.97 fps is 107,892.1 frame periods: frame 107,893 is the first of the
    // second hour (a nominal 30 fps timecode would say 00:59:56:13 for it).
    expect(formatTimecodeFrames(107_893, NTSC)).toBe("01:00:00:00");
    expect(formatTimecodeFrames(107_892, NTSC)).toBe("00:59:59:29");
    for (let n = 0; n <= 20000; n += 1) {
      const frames = formatTimecodeFrames(n, NTSC);
      const ms = formatTimecodeMs(n, NTSC);
      if (frames.slice(0, 8) !== ms.slice(0, 8)) expect(frames).toBe(ms);
      const ff = Number(frames.slice(9));
      if (ff < 0 || ff > 29) expect(ff).toBeLessThan(30);
    }
  });
});

describe("formatting for people", () => {
  it("shows frame rates as decimals", () => {
    expect(formatFps(NTSC)).toBe("29.97");
    expect(formatFps(FILM)).toBe("23.976");
    expect(formatFps(THIRTY)).toBe("30");
    expect(formatFps({ num: 60000, den: 1001 })).toBe("59.94");
    expect(formatFps(null)).toBe("—");
  });

  it("reads the frame rate from a video's metadata", () => {
    expect(frameRateOf({ fps_num: 30000, fps_den: 1001 })).toEqual(NTSC);
    expect(frameRateOf({ fps_num: null, fps_den: null })).toBeNull();
    expect(frameRateOf({ fps_num: 30, fps_den: 0 })).toBeNull();
    expect(frameRateOf({})).toBeNull();
  });

  it("shows durations as mm:ss", () => {
    expect(formatDuration(0)).toBe("00:00");
    expect(formatDuration(2.002)).toBe("00:02");
    expect(formatDuration(59.6)).toBe("01:00");
    expect(formatDuration(754)).toBe("12:34");
    expect(formatDuration(3600 + 62)).toBe("1:01:02");
    expect(formatDuration(null)).toBe("—");
  });

  it("shows sizes in binary units", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(1023)).toBe("1023 B");
    expect(formatBytes(1536)).toBe("1.5 KiB");
    expect(formatBytes(5 * 1024 ** 2)).toBe("5.0 MiB");
    expect(formatBytes(250 * 1024 ** 2)).toBe("250 MiB");
    expect(formatBytes(3.25 * 1024 ** 3)).toBe("3.3 GiB");
    expect(formatBytes(undefined)).toBe("—");
  });
});

describe("the sprite", () => {
  const sprite = { columns: 3, rows: 2, tile_width: 120, tile_height: 90, width: 360, height: 180, frames: [5, 15, 25, 35, 45] };

  it("parses the sprite description and rejects malformed ones", () => {
    expect(parseSprite(sprite)).toEqual(sprite);
    expect(parseSprite({})).toBeNull();
    expect(parseSprite(null)).toBeNull();
    expect(parseSprite({ ...sprite, frames: [] })).toBeNull();
    expect(parseSprite({ ...sprite, frames: [1, 2, 3, 4, 5, 6, 7] })).toBeNull();
    expect(parseSprite({ ...sprite, columns: 0 })).toBeNull();
    expect(parseSprite({ ...sprite, frames: [1, "2"] })).toBeNull();
  });

  it("finds the tile of a frame", () => {
    const sheet = parseSprite(sprite)!;
    expect(tileForFrame(sheet, 0)).toBe(0);
    expect(tileForFrame(sheet, 14)).toBe(0);
    expect(tileForFrame(sheet, 15)).toBe(1);
    expect(tileForFrame(sheet, 44)).toBe(3);
    expect(tileForFrame(sheet, 1000)).toBe(4);
  });
});
