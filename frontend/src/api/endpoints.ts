/**
 * The calls the app makes, typed by the generated schema. Each resolves with the response body
 * or rejects with an ApiError.
 */
import { createApiClient } from "./client";
import { ApiError, toApiError } from "./errors";
import type { components } from "./schema";
import type {
  Adjudication,
  AnnotatorDetail,
  ConsensusBuilt,
  ConsensusMethod,
  ProjectAgreement,
  VideoAgreementDetail,
  VideoConsensus,
  VideoPass,
} from "../curate/types";

type Schemas = components["schemas"];
export type User = Schemas["UserOutput"];
export type Project = Schemas["ProjectOutput"];
export type ProjectCreate = Schemas["ProjectCreateInputRequest"];
export type Member = Schemas["MemberOutput"];
export type MemberCreate = Schemas["MemberInputRequest"];
export type Role = Schemas["RoleEnum"];
export type TaskKind = Schemas["TaskKindEnum"];
export type Job = Schemas["JobOutput"];
// Enums are read off the fields that carry them: the names of enum components are the schema
// generator's choice and change when another app adds an enum with the same field name.
export type JobState = Job["state"];
export type Video = Schemas["VideoOutput"];
export type VideoStatus = NonNullable<Video["status"]>;
export type VideoSource = NonNullable<Video["source"]>;
export type VideoReceived = Schemas["VideoReceivedOutput"];

export const api = createApiClient();

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

async function call<T>(pending: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await pending;
  } catch (cause) {
    // fetch itself failed: offline, server down, connection reset.
    const error = toApiError(0, null);
    error.cause = cause;
    throw error;
  }
  if (!outcome.response.ok) throw toApiError(outcome.response.status, outcome.error);
  return outcome.data as T;
}

/** The logged-in user, or null when nobody is. */
export async function getSession(): Promise<User | null> {
  try {
    return await call(api.GET("/api/v1/auth/session/"));
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

export function logIn(username: string, password: string): Promise<User> {
  return call(api.POST("/api/v1/auth/session/", { body: { username, password } }));
}

export async function logOut(): Promise<void> {
  await call(api.DELETE("/api/v1/auth/session/"));
}

export function listProjects(): Promise<Project[]> {
  return call(api.GET("/api/v1/projects/"));
}

export function createProject(body: ProjectCreate): Promise<Project> {
  return call(api.POST("/api/v1/projects/", { body }));
}

export function getProject(slug: string): Promise<Project> {
  return call(api.GET("/api/v1/projects/{slug}/", { params: { path: { slug } } }));
}

export function listMembers(slug: string): Promise<Member[]> {
  return call(api.GET("/api/v1/projects/{slug}/members/", { params: { path: { slug } } }));
}

export function addMember(slug: string, body: MemberCreate): Promise<Member> {
  return call(api.POST("/api/v1/projects/{slug}/members/", { params: { path: { slug } }, body }));
}

export function changeMemberRole(slug: string, username: string, role: Role): Promise<Member> {
  return call(
    api.PATCH("/api/v1/projects/{slug}/members/{username}/", {
      params: { path: { slug, username } },
      body: { role },
    }),
  );
}

export async function removeMember(slug: string, username: string): Promise<void> {
  await call(
    api.DELETE("/api/v1/projects/{slug}/members/{username}/", {
      params: { path: { slug, username } },
    }),
  );
}

export function getJob(jobId: string): Promise<Job> {
  return call(api.GET("/api/v1/jobs/{job_id}/", { params: { path: { job_id: jobId } } }));
}

export function listVideos(slug: string): Promise<Video[]> {
  return call(api.GET("/api/v1/projects/{slug}/videos/", { params: { path: { slug } } }));
}

export function getVideo(videoId: number): Promise<Video> {
  return call(api.GET("/api/v1/videos/{video_id}/", { params: { path: { video_id: videoId } } }));
}

/** The files of a ready video, for `<video>` and `<img>` (same origin: the session cookie goes along). */
export const videoUrls = {
  proxy: (videoId: number) => `/api/v1/videos/${videoId}/proxy/`,
  poster: (videoId: number) => `/api/v1/videos/${videoId}/poster/`,
  sprite: (videoId: number) => `/api/v1/videos/${videoId}/sprite/`,
  frame: (videoId: number, frame: number, format: "jpeg" | "png" = "jpeg") =>
    `/api/v1/videos/${videoId}/frames/${frame}/${format === "png" ? "?format=png" : ""}`,
};

/** The reserved vote of a clip without a usable face; never a class of a schema. */
export const UNUSABLE = "unusable";

/** A clip pass's structured caption: a sentence on the overall emotion, one on the facial actions. */
export type VoteCaption = Schemas["CaptionIO"];

/** A clip pass's one vote: a class of the schema or "unusable", an optional intensity 1–5 and caption. */
export interface Vote {
  label: string;
  intensity: number | null;
  caption: VoteCaption | null;
}

export type Assignment = Schemas["AssignmentOutput"];
export type AssignmentSummary = Schemas["AssignmentSummaryOutput"];
export type SegmentData = Schemas["SegmentIO"];

/** The caller's own passes, open and submitted. */
export function listMyAssignments(): Promise<AssignmentSummary[]> {
  return call(api.GET("/api/v1/me/assignments/"));
}

export function getAssignment(assignmentId: number): Promise<Assignment> {
  return call(api.GET("/api/v1/assignments/{assignment_id}/", { params: { path: { assignment_id: assignmentId } } }));
}

/** Replace the pass's segments on top of `revision`; resolves with the new revision. */
export function saveSegments(assignmentId: number, revision: number, segments: SegmentData[]): Promise<{ revision: number }> {
  return call(
    api.PUT("/api/v1/assignments/{assignment_id}/segments/", {
      params: { path: { assignment_id: assignmentId } },
      body: { revision, segments },
    }),
  );
}

export function submitAssignment(assignmentId: number): Promise<Assignment> {
  return call(api.POST("/api/v1/assignments/{assignment_id}/submit/", { params: { path: { assignment_id: assignmentId } } }));
}

/** Report `seconds` of active work on the pass; resolves with the pass's total. */
export function reportActivity(assignmentId: number, seconds: number): Promise<{ time_spent_s: number }> {
  return call(
    api.POST("/api/v1/assignments/{assignment_id}/activity/", {
      params: { path: { assignment_id: assignmentId } },
      body: { seconds },
    }),
  );
}

// -- curation (owners and curators; 404 for annotators) ----------------------------------------
// These endpoints are typed as free-form dicts in the generated schema (or not yet in it), so
// they go through the same client, untyped, and their bodies are typed in `curate/types.ts`.

interface LooseClient {
  GET(path: string, init?: { params?: { query?: Record<string, string | number> } }): Promise<Outcome<unknown>>;
  POST(path: string, init?: { body?: unknown }): Promise<Outcome<unknown>>;
}

const loose = api as unknown as LooseClient;

export function getProjectAgreement(slug: string, floor?: number): Promise<ProjectAgreement> {
  const query = floor === undefined ? undefined : { floor };
  return call(loose.GET(`/api/v1/projects/${encodeURIComponent(slug)}/agreement/`, { params: { query } })) as Promise<ProjectAgreement>;
}

export function getVideoAgreement(videoId: number): Promise<VideoAgreementDetail> {
  return call(loose.GET(`/api/v1/videos/${videoId}/agreement/`)) as Promise<VideoAgreementDetail>;
}

/** Every pass of the video, open and submitted, with its segments. */
export function listVideoPasses(videoId: number): Promise<VideoPass[]> {
  return call(loose.GET(`/api/v1/videos/${videoId}/passes/`)) as Promise<VideoPass[]>;
}

/** The video's consensus (the latest version unless `version`); 404 before any build. */
export function getVideoConsensus(videoId: number, version?: number): Promise<VideoConsensus> {
  const query = version === undefined ? undefined : { version };
  return call(loose.GET(`/api/v1/videos/${videoId}/consensus/`, { params: { query } })) as Promise<VideoConsensus>;
}

export function buildConsensus(slug: string, body: { method?: ConsensusMethod; min_support?: number | null } = {}): Promise<ConsensusBuilt> {
  return call(loose.POST(`/api/v1/projects/${encodeURIComponent(slug)}/consensus/`, { body })) as Promise<ConsensusBuilt>;
}

/** A curator's decision on the video's consensus: a new version (409 on a stale base). */
export function adjudicateConsensus(videoId: number, body: Adjudication): Promise<{ version: number; based_on: number | null }> {
  return call(loose.POST(`/api/v1/videos/${videoId}/consensus/`, { body })) as Promise<{ version: number; based_on: number | null }>;
}

export function getAnnotatorDetail(slug: string, username: string): Promise<AnnotatorDetail> {
  return call(
    loose.GET(`/api/v1/projects/${encodeURIComponent(slug)}/annotators/${encodeURIComponent(username)}/`),
  ) as Promise<AnnotatorDetail>;
}

// -- assisted passes: a spotting model's proposals -----------------------------------------------

/** A spotting model's proposal for a video: frames 0-based and inclusive, `score` in 0..1. */
export interface Proposal {
  id: number;
  onset: number;
  offset: number;
  type: string;
  score: number;
  model: number;
  model_name: string;
}

/** Where a stored segment came from, derived by the server from its proposal. */
export type SegmentSource = "manual" | "accepted" | "edited";

/** A segment as the server returns it, with the fields of assisted passes. */
export type ServerSegment = Omit<SegmentData, "source"> & { proposal?: number | null; source?: string | null };

/** The proposals the pass's annotator reviews (assisted passes; 403 in a blind one), by onset. */
export function listProposals(videoId: number): Promise<Proposal[]> {
  return call(loose.GET(`/api/v1/videos/${videoId}/proposals/`)) as Promise<Proposal[]>;
}

/** The proposals the pass rejected, as the server returns them (none before any). */
export function rejectedProposalsOf(assignment: Assignment): number[] {
  const value = (assignment as Assignment & { rejected_proposals?: number[] | null }).rejected_proposals;
  return Array.isArray(value) ? [...value] : [];
}

/**
 * Replace the pass's segments on top of `revision`, each with its proposal (null: drawn by
 * hand), and, when given, the rejected proposals (left out: the server keeps its list).
 */
export function savePassSegments(
  assignmentId: number,
  revision: number,
  segments: (Omit<SegmentData, "source"> & { proposal?: number | null })[],
  rejectedProposals?: number[],
): Promise<{ revision: number }> {
  const body = {
    revision,
    segments: segments.map((segment) => ({ ...segment, proposal: segment.proposal ?? null })),
    ...(rejectedProposals === undefined ? {} : { rejected_proposals: rejectedProposals }),
  };
  return call(
    api.PUT("/api/v1/assignments/{assignment_id}/segments/", {
      params: { path: { assignment_id: assignmentId } },
      body,
    }),
  );
}

// -- clip classification: votes, their agreement, clips cut from a spotting release --------------

export type VoteInput = Schemas["VoteInputRequest"];

/** Cast the pass's vote (and, by default, submit it); resolves with the new revision and status. */
export function castVote(assignmentId: number, body: VoteInput): Promise<{ revision: number; status: string }> {
  return call(api.PUT("/api/v1/assignments/{assignment_id}/vote/", { params: { path: { assignment_id: assignmentId } }, body }));
}

export type AlphaFigure = Schemas["StatisticOutput"];
export type ClipAgreement = Schemas["ClipAgreementOutput"];
export type ClipVotes = Schemas["ClipVotesOutput"];
export type ClipStatus = ClipVotes["status"];
export type ClipAnnotator = Schemas["AnnotatorVotesOutput"];

/** The votes' agreement of a clip project (owners and curators; 404 for anyone else). */
export function getClipAgreement(slug: string): Promise<ClipAgreement> {
  return call(api.GET("/api/v1/projects/{slug}/clip-agreement/", { params: { path: { slug } } }));
}

export type Release = Schemas["ReleaseOutput"];

/** The releases of a project the caller curates, latest last as the API lists them. */
export function listReleases(slug: string): Promise<Release[]> {
  return call(api.GET("/api/v1/projects/{slug}/releases/", { params: { path: { slug } } }));
}

/** Cut every consensus interval of a spotting release into a clip of clip project `slug`: 202 with the Job. */
export function cutClips(slug: string, body: { release: number; pad: number }): Promise<Job> {
  return call(api.POST("/api/v1/projects/{slug}/clips/", { params: { path: { slug } }, body }));
}
