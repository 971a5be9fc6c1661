/**
 * The curators' API responses. The generated schema types these endpoints as free-form dicts,
 * so their shapes are written out here from the backend's contract (`curation/api/views.py`,
 * `curation/selectors.py`, and the dataclasses of `curation/agreement.py` as
 * `curation/serialize.py` turns them into JSON: fields plus precision/recall/f1/support).
 */

// -- the project's agreement ----------------------------------------------------------------

export interface VideoAgreementRow {
  video: number;
  name: string;
  n_passes: number;
  /** Krippendorff's alpha on frame labels; null where undefined. */
  frame_alpha: number | null;
  mean_pairwise_f1: number | null;
  below_floor: boolean;
}

export interface AnnotatorSummary {
  annotator: string;
  passes: number;
  submitted: number;
  mean_time_per_pass_s: number | null;
  pairwise_f1: number | null;
  leave_one_out_f1: number | null;
  mean_frame_alpha_without: number | null;
  /** Signed, in frames: negative marks early. */
  median_onset_bias_frames: number | null;
  median_offset_bias_frames: number | null;
}

export interface PassProgress {
  pass_index: number;
  total: number;
  submitted: number;
}

export interface HistogramBin {
  /** Deviation from the consensus in frames, clipped to ±clip. */
  deviation: number;
  onset: number;
  offset: number;
}

export interface ProjectAgreement {
  videos: VideoAgreementRow[];
  annotators: AnnotatorSummary[];
  mean_frame_alpha: number | null;
  mean_pairwise_f1: number | null;
  floor: number;
  below_floor: number[];
  progress: { videos: number; total: number; submitted: number; by_pass: PassProgress[] };
  boundary_histogram: { clip: number; bins: HistogramBin[] };
  /** Blind and assisted passes apart (absent before any agreement is computed). */
  by_mode?: Record<string, ModeAgreement>;
}

export interface ModeAgreement {
  videos: number;
  videos_with_two_passes: number;
  mean_frame_alpha: number | null;
  mean_pairwise_f1: number | null;
}

// -- one video's agreement ------------------------------------------------------------------

export interface AlphaEntry {
  value: number | null;
  /** Why the value is undefined (no variation, too few pairable values…). */
  reason: string | null;
  level?: string;
  pairable_values?: number;
  pairable_units?: number;
}

export interface UnitizingEntry {
  category: string | null;
  value: number | null;
  reason: string | null;
  units: number;
}

export interface DetectionCounts {
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface PairDetection {
  reference: number | string;
  predicted: number | string;
  counts: DetectionCounts;
}

export interface LeaveOneOut {
  pass_id: number | string;
  annotator: string;
  counts: DetectionCounts;
  consensus_size: number;
}

export interface AnnotatorAgreement {
  pass_id: number | string;
  annotator: string;
  mean_pairwise_f1: number | null;
  against_leave_one_out: DetectionCounts;
  mean_pairwise_frame_alpha: number | null;
  frame_alpha_without: AlphaEntry;
}

export interface BoundaryDeviation {
  annotator: string;
  pass_id: number | string;
  onset_frames: number;
  offset_frames: number;
}

export interface SummaryStats {
  n: number;
  mean: number | null;
  median: number | null;
  q1: number | null;
  q3: number | null;
  iqr: number | null;
}

export interface BoundarySummary {
  signed_frames: SummaryStats;
  absolute_frames: SummaryStats;
  signed_ms: SummaryStats;
  absolute_ms: SummaryStats;
}

export interface ClusterMember {
  pass_index: number;
  pass_id: number | string;
  annotator: string;
  segment: { onset: number; offset: number; segment_id: number | string | null };
}

export type VideoAgreementDetail =
  | { video: number; status: "waiting"; detail?: string; n_passes?: number }
  | {
      video: number;
      status: "computed";
      n_passes: number;
      computed_at: string;
      clusters?: { members: ClusterMember[]; n_passes: number; support: number }[];
      pairwise_detection?: PairDetection[];
      leave_one_out?: LeaveOneOut[];
      frame_label_alpha?: AlphaEntry;
      duration_alpha?: AlphaEntry;
      type_alpha?: AlphaEntry;
      emotion_alpha?: AlphaEntry;
      au_alpha?: [string, AlphaEntry][];
      unitizing_by_type?: { overall: UnitizingEntry; per_category: UnitizingEntry[] };
      unitizing_segmentation?: { overall: UnitizingEntry; per_category: UnitizingEntry[] };
      boundaries?: {
        onset: BoundarySummary;
        offset: BoundarySummary;
        per_annotator: { annotator: string; onset: BoundarySummary; offset: BoundarySummary }[];
        deviations: BoundaryDeviation[];
      };
      annotators?: AnnotatorAgreement[];
    };

// -- passes and consensus -------------------------------------------------------------------

export interface PassSegment {
  id: number;
  onset: number;
  apex: number | null;
  offset: number;
  type: string;
  emotion: string;
  aus: string[];
}

export interface VideoPass {
  assignment: number;
  pass_index: number;
  annotator: string;
  status: string;
  submitted_at: string | null;
  segments: PassSegment[];
}

export interface ConsensusSegment {
  id: number;
  onset: number;
  apex: number | null;
  offset: number;
  type: string;
  emotion: string;
  aus: string[];
  support: number;
  n_passes: number;
  needs_curator: boolean;
  reasons: string[];
  member_segment_ids: number[];
  spread: Record<string, number | null>;
}

export interface VideoConsensus {
  video: number;
  version: number;
  method: string;
  segments: ConsensusSegment[];
}

export type ConsensusMethod = "median" | "mean" | "trimmed_mean";

export interface ConsensusBuilt {
  version: number;
  method: string;
  segments: number;
  videos: number;
  needs_curator: number;
}

export interface AdjudicatedSegment {
  onset: number;
  apex: number | null;
  offset: number;
  type: string;
  emotion: string;
  aus: string[];
  member_segment_ids: number[];
}

export interface Adjudication {
  base_version: number;
  segments: AdjudicatedSegment[];
  note: string;
}

// -- one annotator --------------------------------------------------------------------------

export interface AnnotatorPass {
  assignment: number;
  video: number;
  name: string;
  pass_index: number;
  submitted_at: string | null;
  time_spent_s: number | null;
  leave_one_out_f1: number | null;
  onset_bias_frames: number | null;
  offset_bias_frames: number | null;
  frame_alpha_without: number | null;
}

export interface AnnotatorDetail {
  annotator: string;
  summary: AnnotatorSummary;
  passes: AnnotatorPass[];
  drift: {
    n: number;
    f1_slope_per_10_passes: number | null;
    onset_bias_slope_per_10_passes: number | null;
    offset_bias_slope_per_10_passes: number | null;
    first_half_f1: number | null;
    second_half_f1: number | null;
  };
}
