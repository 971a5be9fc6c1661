import createClient, { type Middleware } from "openapi-fetch";
import type { paths } from "./schema";

/** Methods that Django's CSRF protection lets through without a token. */
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

export const CSRF_COOKIE = "csrftoken";
export const CSRF_HEADER = "X-CSRFToken";

/** The value of cookie `name` in a `document.cookie` string, or null. */
export function readCookie(cookies: string, name: string): string | null {
  for (const part of cookies.split(";")) {
    const separator = part.indexOf("=");
    if (separator === -1) continue;
    if (part.slice(0, separator).trim() === name) {
      return decodeURIComponent(part.slice(separator + 1).trim());
    }
  }
  return null;
}

/**
 * Send Django's CSRF token on every unsafe request. The cookie is read at each request, not
 * once: Django rotates the token when a user logs in.
 */
export function csrfMiddleware(readCookies: () => string): Middleware {
  return {
    onRequest({ request }) {
      if (SAFE_METHODS.has(request.method.toUpperCase())) return undefined;
      const token = readCookie(readCookies(), CSRF_COOKIE);
      if (token) request.headers.set(CSRF_HEADER, token);
      return request;
    },
  };
}

type UnauthorizedListener = () => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Be told when a call answers 401, that is when the session has ended under the app's feet. */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

const SESSION_PATH = "/api/v1/auth/session/";

const unauthorizedMiddleware: Middleware = {
  onResponse({ response, schemaPath }) {
    // The session endpoint answers 401 as a normal "nobody is logged in"; everywhere else a
    // 401 means the session expired or was closed in another tab.
    if (response.status === 401 && schemaPath !== SESSION_PATH) {
      for (const listener of unauthorizedListeners) listener();
    }
    return undefined;
  },
};

export interface ApiClientOptions {
  /** Where the API lives; the page's own origin by default (the session cookie is same-origin). */
  baseUrl?: string;
  /** Read the cookies; `document.cookie` by default. */
  readCookies?: () => string;
}

export function createApiClient(options: ApiClientOptions = {}) {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? window.location.origin,
    credentials: "same-origin",
    headers: { Accept: "application/json" },
    // Looked up at each call rather than captured once, so that tests can stub the global fetch.
    fetch: (request) => globalThis.fetch(request),
  });
  client.use(csrfMiddleware(options.readCookies ?? (() => document.cookie)));
  client.use(unauthorizedMiddleware);
  return client;
}

export type ApiClient = ReturnType<typeof createApiClient>;
