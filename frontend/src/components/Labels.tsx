import type { Role, TaskKind, VideoSource, VideoStatus } from "../api/endpoints";

export const ROLE_LABELS: Record<Role, string> = {
  owner: "Owner",
  curator: "Curator",
  annotator: "Annotator",
};

/** The roles in the order a menu offers them, least powerful first. */
export const ROLES: readonly Role[] = ["annotator", "curator", "owner"];

export const TASK_KIND_LABELS: Record<TaskKind, string> = {
  spotting: "Spotting",
  clip_classification: "Clip classification",
};

export const TASK_KIND_HINTS: Record<TaskKind, string> = {
  spotting: "Onset and offset frames of every expression in long videos",
  clip_classification: "One label per short clip",
};

export const TASK_KINDS: readonly TaskKind[] = ["spotting", "clip_classification"];

/** Passes per item when a project does not say (the SDFE-LV and DFEW protocols). */
export const DEFAULT_PASSES: Record<TaskKind, number> = {
  spotting: 5,
  clip_classification: 10,
};

export function taskKindLabel(kind: TaskKind | undefined): string {
  return kind ? TASK_KIND_LABELS[kind] : "—";
}

/**
 * The caller's role as a badge. Its text is the role's API value (`owner`, …), capitalised by
 * CSS only, so that what a script reads is what the API said.
 */
export function RoleBadge({ role, testId }: { role: string | null | undefined; testId?: string }) {
  if (!role) return null;
  return (
    <span className={`badge badge-${role}`} data-testid={testId}>
      {role}
    </span>
  );
}

export const SOURCE_LABELS: Record<VideoSource, string> = {
  interview: "TV interview",
  documentary: "Documentary",
  movie: "Movie",
  social_video: "Short social video",
  lab: "Lab recording",
  other: "Other",
};

/** The kinds of recording in the order an upload form offers them. */
export const SOURCES: readonly VideoSource[] = ["interview", "documentary", "movie", "social_video", "lab", "other"];

export function sourceLabel(source: VideoSource | undefined): string {
  return source ? SOURCE_LABELS[source] : "—";
}

/**
 * A video's status as a badge. Like RoleBadge its text is the API value (`processing`, `ready`,
 * `failed`), capitalised by CSS, and `data-status` carries it too.
 */
export function VideoStatusBadge({ status, testId }: { status: VideoStatus | undefined; testId?: string }) {
  const value = status ?? "processing";
  return (
    <span className={`badge badge-status badge-${value}`} data-testid={testId} data-status={value}>
      {value}
    </span>
  );
}
