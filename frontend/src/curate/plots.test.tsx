import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { alphaRows, f1Matrix } from "./AgreementPanel";
import { projectAgreementFixture, videoAgreementFixture } from "./fixtures";
import { AlphaPlot, alphaDomain, BoundaryHistogram, EMPTY_AGREEMENT, formatSigned, linearScale, niceTicks, ProgressBars, ReliabilityChart, SeriesPlot } from "./plots";

describe("scales and ticks", () => {
  it("maps a domain onto a range", () => {
    const y = linearScale(0, 1, 200, 0);
    expect(y(0)).toBe(200);
    expect(y(0.25)).toBe(150);
    expect(y(1)).toBe(0);
  });

  it("ticks at 1, 2 or 5 times a power of ten", () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-0.3, 1, 6)).toEqual([0, 0.5, 1]);
    expect(niceTicks(-0.3, 1, 10)).toEqual([-0.2, 0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-15, 15, 6)).toEqual([-15, -10, -5, 0, 5, 10, 15]);
    expect(niceTicks(1, 4, 4)).toEqual([1, 2, 3, 4]);
  });

  it("the alpha axis reaches below the lowest value, the floor and 0", () => {
    expect(alphaDomain([0.4, 0.9, null], 0.667)).toEqual([0, 1]);
    expect(alphaDomain([-0.25, 0.9], 0.667)).toEqual([-0.3, 1]);
  });

  it("signs frames, negative for early", () => {
    expect([formatSigned(-2), formatSigned(1.5), formatSigned(0), formatSigned(null), formatSigned(-0.01)]).toEqual(["−2", "+1.5", "0", "—", "0"]);
  });
});

describe("AlphaPlot", () => {
  it("draws a point per video, those below the floor highlighted, undefined ones apart", () => {
    const onOpen = vi.fn();
    const data = projectAgreementFixture();
    render(<AlphaPlot videos={data.videos} floor={0.667} onOpen={onOpen} />);
    const points = screen.getAllByTestId("alpha-point");
    expect(points).toHaveLength(4);
    expect(points.map((point) => point.getAttribute("data-below"))).toEqual(["true", "false", "false", null]);
    expect(points[3]?.getAttribute("data-undefined")).toBe("true");
    expect(points[0]?.querySelector("title")?.textContent).toBe("interview-07.mp4: α 0.410 · F1 0.500 · 5 passes · below the floor");
    expect(screen.getByTestId("alpha-floor").textContent).toContain("floor 0.667");
    fireEvent.click(points[1]!);
    expect(onOpen).toHaveBeenCalledWith(8);
    fireEvent.keyDown(points[0]!, { key: "Enter" });
    expect(onOpen).toHaveBeenLastCalledWith(7);
  });

  it("shows the empty state without videos", () => {
    render(<AlphaPlot videos={[]} floor={0.667} onOpen={() => undefined} />);
    expect(screen.getByTestId("plot-empty").textContent).toBe(EMPTY_AGREEMENT);
    expect(screen.queryByTestId("alpha-plot")).toBeNull();
  });
});

describe("ReliabilityChart", () => {
  it("draws a row per annotator with F1, alpha-without and diverging bias bars", () => {
    const onOpen = vi.fn();
    render(<ReliabilityChart annotators={projectAgreementFixture().annotators} onOpen={onOpen} />);
    const rows = screen.getAllByTestId("reliability-row");
    expect(rows.map((row) => row.getAttribute("data-annotator"))).toEqual(["ann1", "ann2", "ann3"]);
    // ann1: f1, alpha, onset, offset; ann2: none of them (shown as undefined); ann3: all four.
    expect(rows.map((row) => row.querySelectorAll("rect").length)).toEqual([4, 0, 4]);
    expect(rows[1]?.textContent).toContain("undefined");
    const onsetBar = rows[0]?.querySelector(".plot-bar-onset");
    const offsetBar = rows[0]?.querySelector(".plot-bar-offset");
    // Early onset: the bar ends at 0 and reaches left; late offset starts at 0 and reaches right.
    const zero = Number(onsetBar?.getAttribute("x")) + Number(onsetBar?.getAttribute("width"));
    expect(Number(offsetBar?.getAttribute("x"))).toBeCloseTo(zero, 6);
    fireEvent.click(screen.getAllByTestId("reliability-annotator")[2]!);
    expect(onOpen).toHaveBeenCalledWith("ann3");
  });

  it("shows the empty state without annotators", () => {
    render(<ReliabilityChart annotators={[]} onOpen={() => undefined} />);
    expect(screen.getByTestId("plot-empty").textContent).toBe(EMPTY_AGREEMENT);
  });
});

describe("BoundaryHistogram and ProgressBars", () => {
  it("draws an onset and an offset bar per bin, clipped ends labelled", () => {
    const { bins, clip } = projectAgreementFixture().boundary_histogram;
    render(<BoundaryHistogram clip={clip} bins={bins} />);
    expect(screen.getAllByTestId("histogram-bar-onset")).toHaveLength(4);
    expect(screen.getAllByTestId("histogram-bar-offset")).toHaveLength(4);
    expect(screen.getAllByTestId("histogram-bar-onset")[0]?.textContent).toBe("onset ≤−15 frames: 1");
  });

  it("an empty histogram is the empty state", () => {
    render(<BoundaryHistogram clip={15} bins={[{ deviation: 0, onset: 0, offset: 0 }]} />);
    expect(screen.getByTestId("plot-empty").textContent).toBe(EMPTY_AGREEMENT);
  });

  it("draws a bar per pass index, its share submitted", () => {
    render(<ProgressBars byPass={projectAgreementFixture().progress.by_pass} />);
    const bars = screen.getAllByTestId("progress-bar");
    expect(bars).toHaveLength(2);
    expect(bars[1]?.querySelector("title")?.textContent).toBe("Pass 2: 3 of 4 submitted");
    const [track, fill] = [...bars[1]!.querySelectorAll("rect")];
    expect(Number(fill?.getAttribute("width"))).toBeCloseTo(Number(track?.getAttribute("width")) * 0.75, 6);
  });
});

describe("SeriesPlot", () => {
  it("draws a point per defined value of each series", () => {
    render(
      <SeriesPlot
        testId="bias"
        labels={["a", "b", "c"]}
        yLabel="bias"
        series={[
          { name: "onset", className: "x", values: [-1, null, 2] },
          { name: "offset", className: "y", values: [0, 1, 1] },
        ]}
      />,
    );
    expect(screen.getAllByTestId("bias-point")).toHaveLength(5);
  });

  it("shows an empty state without values", () => {
    render(<SeriesPlot testId="bias" labels={["a"]} yLabel="bias" series={[{ name: "onset", className: "x", values: [null] }]} />);
    expect(screen.getByTestId("plot-empty")).toBeTruthy();
  });
});

describe("the video's agreement figures", () => {
  it("lists every alpha, undefined ones with their reason", () => {
    const agreement = videoAgreementFixture();
    if (agreement.status !== "computed") throw new Error("fixture");
    expect(alphaRows(agreement).map(({ label, entry }) => [label, entry.value, entry.reason])).toEqual([
      ["Frame labels (nominal)", 0.41, null],
      ["Segmentation (unitizing)", 0.6, null],
      ["Segments by type (unitizing)", 0.55, null],
      ["Durations (interval)", 0.8, null],
      ["Type (nominal)", null, "no variation: every pairable value is the same"],
      ["Emotion (nominal)", null, "fewer than two pairable values"],
      ["AU12 presence", 0.3, null],
    ]);
  });

  it("makes a symmetric pairwise F1 matrix in pass order", () => {
    const agreement = videoAgreementFixture();
    if (agreement.status !== "computed") throw new Error("fixture");
    const { names, cells } = f1Matrix(agreement);
    expect(names).toEqual(["ann1", "ann2", "ann3"]);
    expect(cells).toEqual([
      [null, 0.8, 4 / 6],
      [0.8, null, 2 / 5],
      [4 / 6, 2 / 5, null],
    ]);
  });
});
