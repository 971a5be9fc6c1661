import { describe, expect, it } from "vitest";
import { parseLabelSchema, splitAu } from "./labelSchema";

describe("parseLabelSchema", () => {
  it("fills the server's defaults", () => {
    const schema = parseLabelSchema({});
    expect(schema.expression_types.map((t) => t.name)).toEqual(["macro", "micro"]);
    expect(schema.emotions).toHaveLength(7);
    expect(schema.action_units).toContain("AU12");
    expect(schema).toMatchObject({ au_intensity: false, apex: true, note: true, guidelines: "" });
  });

  it("keeps what the project set", () => {
    const schema = parseLabelSchema({
      expression_types: [{ name: "micro", code: 2 }],
      emotions: [],
      action_units: ["AU4"],
      au_intensity: true,
      apex: false,
      guidelines: "Mark the first frame of movement.",
    });
    expect(schema.expression_types).toEqual([{ name: "micro", code: 2 }]);
    expect(schema.emotions).toEqual([]);
    expect(schema).toMatchObject({ action_units: ["AU4"], au_intensity: true, apex: false, guidelines: "Mark the first frame of movement." });
    expect(parseLabelSchema({ emotion_preset: "casme2" }).emotions.map((e) => e.name)).toEqual(["positive", "negative", "surprise", "others"]);
  });

  it("splits action units and intensities", () => {
    expect(splitAu("AU12C")).toEqual({ code: "AU12", intensity: "C" });
    expect(splitAu("AU4L")).toEqual({ code: "AU4L", intensity: "" });
    expect(splitAu("AU4LB")).toEqual({ code: "AU4L", intensity: "B" });
  });
});
