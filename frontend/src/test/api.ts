import { vi } from "vitest";

type Handler = (request: Request) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function noContent(): Response {
  return new Response(null, { status: 204 });
}

export function apiError(status: number, code: string, detail: string, fields: Record<string, string[]> = {}): Response {
  return json(status, { code, detail, fields });
}

export const NOT_LOGGED_IN = () => apiError(401, "not_authenticated", "Not logged in.");

/**
 * Replace `fetch` with a fake API: `routes` maps "METHOD /path/" to a handler. Every request is
 * recorded; one that no route answers fails the test.
 */
export function mockApi(routes: Record<string, Handler>) {
  const requests: Request[] = [];
  const fetch = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(input, init);
    requests.push(request.clone());
    const key = `${request.method} ${new URL(request.url).pathname}`;
    const handler = routes[key];
    if (!handler) throw new Error(`unexpected request: ${key}`);
    return handler(request);
  });
  vi.stubGlobal("fetch", fetch);
  return { fetch, requests };
}
