/**
 * A small client-side router on the History API. Django answers every page URL with the same
 * index.html; which page to show is decided here from `location.pathname`.
 */
import { useSyncExternalStore } from "react";

export type Route =
  | { page: "home" }
  | { page: "login" }
  | { page: "projects" }
  | { page: "project"; slug: string }
  | { page: "video"; slug: string; videoId: number }
  | { page: "queue" }
  | { page: "annotate"; assignmentId: number }
  | { page: "curate"; slug: string }
  | { page: "vote"; slug: string }
  | { page: "curate-video"; slug: string; videoId: number }
  | { page: "curate-annotator"; slug: string; username: string }
  | { page: "not-found" };

const PROJECT_PATH = /^\/projects\/([^/]+)$/;
const ANNOTATE_PATH = /^\/annotate\/([1-9][0-9]{0,15})$/;
const VIDEO_PATH = /^\/projects\/([^/]+)\/videos\/([1-9][0-9]{0,15})$/;
const CURATE_PATH = /^\/projects\/([^/]+)\/curate$/;
const VOTE_PATH = /^\/projects\/([^/]+)\/vote$/;
const CURATE_VIDEO_PATH = /^\/projects\/([^/]+)\/curate\/videos\/([1-9][0-9]{0,15})$/;
const CURATE_ANNOTATOR_PATH = /^\/projects\/([^/]+)\/curate\/annotators\/([^/]+)$/;

/** The page for a path. A trailing slash is ignored; anything unknown is "not-found". */
export function matchRoute(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  if (path === "/" || path === "") return { page: "home" };
  if (path === "/login") return { page: "login" };
  if (path === "/projects") return { page: "projects" };
  if (path === "/queue") return { page: "queue" };
  const annotate = ANNOTATE_PATH.exec(path);
  if (annotate?.[1] !== undefined) return { page: "annotate", assignmentId: Number(annotate[1]) };
  const video = VIDEO_PATH.exec(path);
  if (video?.[1] !== undefined && video[2] !== undefined) {
    try {
      return { page: "video", slug: decodeURIComponent(video[1]), videoId: Number(video[2]) };
    } catch {
      return { page: "not-found" };
    }
  }
  const vote = VOTE_PATH.exec(path);
  if (vote?.[1] !== undefined) {
    try {
      return { page: "vote", slug: decodeURIComponent(vote[1]) };
    } catch {
      return { page: "not-found" };
    }
  }
  const curate = matchCurate(path);
  if (curate) return curate;
  const project = PROJECT_PATH.exec(path);
  if (project?.[1] !== undefined) {
    try {
      return { page: "project", slug: decodeURIComponent(project[1]) };
    } catch {
      return { page: "not-found" }; // a malformed %-escape
    }
  }
  return { page: "not-found" };
}

/** The curators' pages of a project, or null when `path` is none of them. */
function matchCurate(path: string): Route | null {
  try {
    const dashboard = CURATE_PATH.exec(path);
    if (dashboard?.[1] !== undefined) return { page: "curate", slug: decodeURIComponent(dashboard[1]) };
    const video = CURATE_VIDEO_PATH.exec(path);
    if (video?.[1] !== undefined && video[2] !== undefined) {
      return { page: "curate-video", slug: decodeURIComponent(video[1]), videoId: Number(video[2]) };
    }
    const annotator = CURATE_ANNOTATOR_PATH.exec(path);
    if (annotator?.[1] !== undefined && annotator[2] !== undefined) {
      return { page: "curate-annotator", slug: decodeURIComponent(annotator[1]), username: decodeURIComponent(annotator[2]) };
    }
  } catch {
    return { page: "not-found" }; // a malformed %-escape
  }
  return null;
}

export function projectPath(slug: string): string {
  return `/projects/${encodeURIComponent(slug)}`;
}

export function videoPath(slug: string, videoId: number): string {
  return `${projectPath(slug)}/videos/${videoId}`;
}

/** The curators' dashboard, with the agreement floor in the query when one is given. */
export function curatePath(slug: string, floor?: number): string {
  const base = `${projectPath(slug)}/curate`;
  return floor === undefined ? base : `${base}?${new URLSearchParams({ floor: String(floor) }).toString()}`;
}

export function curateVideoPath(slug: string, videoId: number): string {
  return `${projectPath(slug)}/curate/videos/${videoId}`;
}

export function curateAnnotatorPath(slug: string, username: string): string {
  return `${projectPath(slug)}/curate/annotators/${encodeURIComponent(username)}`;
}

/** The annotator's voting session over their open clip passes of the project. */
export function votePath(slug: string): string {
  return `${projectPath(slug)}/vote`;
}

export function annotatePath(assignmentId: number): string {
  return `/annotate/${assignmentId}`;
}

/** The login page, remembering where to go afterwards (not when that is the default page). */
export function loginPath(next?: string): string {
  if (!next || next === "/" || next === DEFAULT_AFTER_LOGIN) return "/login";
  return `/login?${new URLSearchParams({ next }).toString()}`;
}

export const DEFAULT_AFTER_LOGIN = "/projects";

/**
 * Where to go after logging in: `?next=` when it is a path on this site, the project list
 * otherwise. Anything that could leave the site (`//evil.example`, `https://…`, `/\evil`) is
 * refused, and so is the login page itself.
 */
export function safeNextPath(search: string): string {
  const next = new URLSearchParams(search).get("next");
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) {
    return DEFAULT_AFTER_LOGIN;
  }
  if (matchRoute(new URL(next, "http://spotlab.invalid").pathname).page === "login") {
    return DEFAULT_AFTER_LOGIN;
  }
  return next;
}

const NAVIGATE_EVENT = "spotlab:navigate";

/** Go to `to` (a path with optional query) without reloading the page. */
export function navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
  if (to === currentUrl()) return;
  if (replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  if (!replace) window.scrollTo?.(0, 0);
}

function currentUrl(): string {
  return window.location.pathname + window.location.search;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(NAVIGATE_EVENT, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(NAVIGATE_EVENT, onChange);
  };
}

/** The current path and query, re-rendering on navigation and on back/forward. */
export function useUrl(): { pathname: string; search: string } {
  const url = useSyncExternalStore(subscribe, currentUrl);
  const queryStart = url.indexOf("?");
  return queryStart === -1
    ? { pathname: url, search: "" }
    : { pathname: url.slice(0, queryStart), search: url.slice(queryStart) };
}
