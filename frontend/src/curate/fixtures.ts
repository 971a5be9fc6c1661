/** Responses of the curators' API for the tests, as the backend's contract describes them. */
import type { AnnotatorDetail, ConsensusSegment, ProjectAgreement, VideoAgreementDetail, VideoConsensus, VideoPass } from "./types";

export function projectAgreementFixture(overrides: Partial<ProjectAgreement> = {}): ProjectAgreement {
  return {
    videos: [
      { video: 7, name: "interview-07.mp4", n_passes: 5, frame_alpha: 0.41, mean_pairwise_f1: 0.5, below_floor: true },
      { video: 8, name: "interview-08.mp4", n_passes: 5, frame_alpha: 0.72, mean_pairwise_f1: 0.8, below_floor: false },
      { video: 9, name: "interview-09.mp4", n_passes: 4, frame_alpha: 0.9, mean_pairwise_f1: 0.95, below_floor: false },
      { video: 10, name: "blank.mp4", n_passes: 2, frame_alpha: null, mean_pairwise_f1: null, below_floor: false },
    ],
    annotators: [
      { annotator: "ann1", passes: 4, submitted: 4, mean_time_per_pass_s: 600, pairwise_f1: 0.8, leave_one_out_f1: 0.85, mean_frame_alpha_without: 0.7, median_onset_bias_frames: -2, median_offset_bias_frames: 1 },
      { annotator: "ann2", passes: 4, submitted: 3, mean_time_per_pass_s: 420, pairwise_f1: 0.7, leave_one_out_f1: null, mean_frame_alpha_without: null, median_onset_bias_frames: null, median_offset_bias_frames: null },
      { annotator: "ann3", passes: 3, submitted: 3, mean_time_per_pass_s: null, pairwise_f1: 0.6, leave_one_out_f1: 0.6, mean_frame_alpha_without: 0.75, median_onset_bias_frames: 3.5, median_offset_bias_frames: -0.5 },
    ],
    mean_frame_alpha: 0.6767,
    mean_pairwise_f1: 0.75,
    floor: 0.667,
    below_floor: [7],
    progress: {
      videos: 4,
      total: 20,
      submitted: 16,
      by_pass: [
        { pass_index: 1, total: 4, submitted: 4 },
        { pass_index: 2, total: 4, submitted: 3 },
      ],
    },
    boundary_histogram: {
      clip: 15,
      bins: [
        { deviation: -15, onset: 1, offset: 0 },
        { deviation: -1, onset: 4, offset: 2 },
        { deviation: 0, onset: 10, offset: 12 },
        { deviation: 2, onset: 0, offset: 3 },
      ],
    },
    ...overrides,
  };
}

export function consensusSegmentFixture(overrides: Partial<ConsensusSegment> = {}): ConsensusSegment {
  return {
    id: 1,
    onset: 10,
    apex: null,
    offset: 20,
    type: "macro",
    emotion: "",
    aus: [],
    support: 3,
    n_passes: 3,
    needs_curator: false,
    reasons: [],
    member_segment_ids: [],
    spread: {},
    ...overrides,
  };
}

/** Three passes of video 7 and a consensus of three segments: agreed, partial, flagged. */
export function passesFixture(): VideoPass[] {
  const pass = (index: number, annotator: string, segments: VideoPass["segments"]): VideoPass => ({
    assignment: 100 + index,
    pass_index: index,
    annotator,
    status: "submitted",
    submitted_at: "2026-01-05T10:00:00Z",
    segments,
  });
  const segment = (id: number, onset: number, offset: number, type = "macro") => ({ id, onset, apex: null, offset, type, emotion: "", aus: [] });
  return [
    pass(1, "ann1", [segment(11, 10, 20), segment(12, 40, 50), segment(13, 80, 90, "micro")]),
    pass(2, "ann2", [segment(21, 11, 21), segment(22, 41, 52, "micro")]),
    pass(3, "ann3", [segment(31, 9, 19), segment(33, 79, 91), segment(34, 200, 210)]),
  ];
}

export function consensusFixture(version = 3): VideoConsensus {
  return {
    video: 7,
    version,
    method: "median",
    segments: [
      consensusSegmentFixture({ id: 1, onset: 10, offset: 20, member_segment_ids: [11, 21, 31] }),
      consensusSegmentFixture({ id: 2, onset: 40, offset: 51, support: 2, needs_curator: true, reasons: ["type tie"], member_segment_ids: [12, 22] }),
      consensusSegmentFixture({ id: 3, onset: 80, offset: 90, support: 2, type: "micro", member_segment_ids: [13, 33] }),
    ],
  };
}

export function videoAgreementFixture(): VideoAgreementDetail {
  const counts = (tp: number, fp: number, fn: number) => ({ tp, fp, fn, precision: tp / (tp + fp), recall: tp / (tp + fn), f1: (2 * tp) / (2 * tp + fp + fn) });
  const alpha = (value: number | null, reason: string | null = null) => ({ level: "nominal", value, reason, pairable_values: 10, pairable_units: 5 });
  return {
    video: 7,
    status: "computed",
    n_passes: 3,
    computed_at: "2026-01-05T10:00:00Z",
    pairwise_detection: [
      { reference: 101, predicted: 102, counts: counts(2, 0, 1) },
      { reference: 101, predicted: 103, counts: counts(2, 1, 1) },
      { reference: 102, predicted: 103, counts: counts(1, 2, 1) },
    ],
    leave_one_out: [
      { pass_id: 101, annotator: "ann1", counts: counts(3, 0, 0), consensus_size: 3 },
      { pass_id: 102, annotator: "ann2", counts: counts(2, 0, 1), consensus_size: 3 },
      { pass_id: 103, annotator: "ann3", counts: counts(2, 1, 1), consensus_size: 3 },
    ],
    annotators: [
      { pass_id: 101, annotator: "ann1", mean_pairwise_f1: 0.7, against_leave_one_out: counts(3, 0, 0), mean_pairwise_frame_alpha: 0.6, frame_alpha_without: alpha(0.5) },
      { pass_id: 102, annotator: "ann2", mean_pairwise_f1: 0.6, against_leave_one_out: counts(2, 0, 1), mean_pairwise_frame_alpha: 0.5, frame_alpha_without: alpha(0.6) },
      { pass_id: 103, annotator: "ann3", mean_pairwise_f1: 0.5, against_leave_one_out: counts(2, 1, 1), mean_pairwise_frame_alpha: 0.4, frame_alpha_without: alpha(0.7) },
    ],
    frame_label_alpha: alpha(0.41),
    duration_alpha: alpha(0.8),
    type_alpha: alpha(null, "no variation: every pairable value is the same"),
    emotion_alpha: alpha(null, "fewer than two pairable values"),
    au_alpha: [["AU12", alpha(0.3)]],
    unitizing_by_type: { overall: { category: null, value: 0.55, reason: null, units: 8 }, per_category: [] },
    unitizing_segmentation: { overall: { category: null, value: 0.6, reason: null, units: 8 }, per_category: [] },
  };
}

export function annotatorDetailFixture(): AnnotatorDetail {
  const pass = (index: number, f1: number | null, onset: number | null, offset: number | null) => ({
    assignment: 100 + index,
    video: 7 + index,
    name: `interview-${index}.mp4`,
    pass_index: 1,
    submitted_at: `2026-01-0${index}T10:00:00Z`,
    time_spent_s: 300,
    leave_one_out_f1: f1,
    onset_bias_frames: onset,
    offset_bias_frames: offset,
    frame_alpha_without: 0.5,
  });
  return {
    annotator: "ann1",
    summary: projectAgreementFixture().annotators[0]!,
    passes: [pass(1, 0.8, -2, 1), pass(2, 0.9, -1, 0), pass(3, null, null, null), pass(4, 0.7, 0, 2)],
    drift: { n: 4, f1_slope_per_10_passes: -0.2, onset_bias_slope_per_10_passes: 5, offset_bias_slope_per_10_passes: 1.5, first_half_f1: 0.85, second_half_f1: 0.7 },
  };
}
