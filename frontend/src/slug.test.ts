import { describe, expect, it } from "vitest";
import { slugify } from "./slug";

describe("slugify", () => {
  it.each([
    ["SDFE-LV pilot", "sdfe-lv-pilot"],
    ["  Long videos: round 2!  ", "long-videos-round-2"],
    ["Émotions déçues", "emotions-decues"],
    ["CAS(ME)^3 re-labelling", "casme3-re-labelling"],
    ["a -- b", "a-b"],
    ["snake_case name", "snake_case-name"],
    ["_private-", "private"],
    ["表情 spotting", "spotting"],
    ["!!!", ""],
    ["", ""],
  ])("%j becomes %j", (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it("cuts to 64 characters without a trailing hyphen", () => {
    const slug = slugify(`${"a".repeat(63)} b`);
    expect(slug).toBe("a".repeat(63));
    expect(slugify("word ".repeat(30)).length).toBeLessThanOrEqual(64);
    expect(slugify("word ".repeat(30)).endsWith("-")).toBe(false);
  });
});
