/**
 * Video upload over XMLHttpRequest: unlike fetch, it reports how many bytes of the request
 * body have been sent, which is what an upload progress bar needs.
 */
import { CSRF_COOKIE, CSRF_HEADER, readCookie } from "./client";
import type { VideoReceived, VideoSource } from "./endpoints";
import { ApiError, toApiError } from "./errors";

export interface VideoUpload {
  file: File;
  /** A person's code (the subject recorded in the video); empty for none. */
  subject: string;
  source: VideoSource;
}

export interface UploadProgress {
  loaded: number;
  total: number;
}

export interface UploadOptions {
  onProgress?: (progress: UploadProgress) => void;
  /** Aborting cancels the upload; the promise then rejects with an ApiError of code `aborted`. */
  signal?: AbortSignal;
  /** Read the cookies; `document.cookie` by default. */
  readCookies?: () => string;
}

export function uploadUrl(slug: string): string {
  return `/api/v1/projects/${encodeURIComponent(slug)}/videos/`;
}

function parseBody(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function isReceived(body: unknown): body is VideoReceived {
  if (typeof body !== "object" || body === null) return false;
  const record = body as Record<string, unknown>;
  return typeof record.id === "number" && typeof record.duplicate === "boolean";
}

/**
 * Upload a video to project `slug`. Resolves with the API's answer: 201 for a new video (its
 * ingest job queued), 200 with `duplicate: true` when the same file is already in the project.
 * Rejects with an ApiError carrying the API's message (413 too large, 403, 400, …).
 */
export function uploadVideo(slug: string, upload: VideoUpload, options: UploadOptions = {}): Promise<VideoReceived> {
  const { onProgress, signal, readCookies = () => document.cookie } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new ApiError(0, { code: "aborted", detail: "The upload was cancelled.", fields: {} }));
      return;
    }
    const form = new FormData();
    form.append("file", upload.file, upload.file.name);
    if (upload.subject) form.append("subject", upload.subject);
    form.append("source", upload.source);

    const xhr = new XMLHttpRequest();
    xhr.open("POST", uploadUrl(slug));
    xhr.withCredentials = true;
    xhr.setRequestHeader("Accept", "application/json");
    const token = readCookie(readCookies(), CSRF_COOKIE);
    if (token) xhr.setRequestHeader(CSRF_HEADER, token);

    const onAbort = () => xhr.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => signal?.removeEventListener("abort", onAbort);

    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress?.({ loaded: event.loaded, total: event.total });
    });
    xhr.addEventListener("load", () => {
      done();
      const body = parseBody(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300 && isReceived(body)) {
        onProgress?.({ loaded: upload.file.size, total: upload.file.size });
        resolve(body);
      } else if (xhr.status >= 200 && xhr.status < 300) {
        reject(toApiError(502, null));
      } else {
        reject(toApiError(xhr.status, body));
      }
    });
    xhr.addEventListener("error", () => {
      done();
      reject(toApiError(0, null));
    });
    xhr.addEventListener("abort", () => {
      done();
      reject(new ApiError(0, { code: "aborted", detail: "The upload was cancelled.", fields: {} }));
    });
    xhr.send(form);
  });
}
