import { describe, expect, it } from "vitest";
import { mockApi, json, noContent } from "../test/api";
import { CSRF_HEADER, createApiClient, readCookie } from "./client";

const project = {
  id: 1,
  name: "Alpha",
  slug: "alpha",
  description: "",
  task_kind: "spotting",
  passes_per_item: 5,
  label_schema: {},
  role: "owner",
  created_at: "2026-01-01T00:00:00Z",
};

describe("readCookie", () => {
  it("finds a cookie among others and decodes it", () => {
    expect(readCookie("sessionid=s1; csrftoken=abc%3D123; theme=dark", "csrftoken")).toBe("abc=123");
  });

  it("does not match a cookie whose name only ends with the name", () => {
    expect(readCookie("xcsrftoken=nope", "csrftoken")).toBeNull();
    expect(readCookie("", "csrftoken")).toBeNull();
  });
});

describe("the API client", () => {
  const cookies = () => "sessionid=s1; csrftoken=tok-42";

  it("sends the CSRF token from the cookie on POST", async () => {
    const { requests } = mockApi({ "POST /api/v1/projects/": () => json(201, project) });
    const client = createApiClient({ readCookies: cookies });

    const body = { name: "Alpha", slug: "alpha", description: "", task_kind: "spotting" } as const;
    await client.POST("/api/v1/projects/", { body });

    expect(requests).toHaveLength(1);
    expect(requests[0]!.headers.get(CSRF_HEADER)).toBe("tok-42");
    expect(requests[0]!.headers.get("Content-Type")).toBe("application/json");
    expect(requests[0]!.credentials).toBe("same-origin");
    expect(await requests[0]!.json()).toEqual(body);
  });

  it("sends the CSRF token on DELETE and PATCH", async () => {
    const { requests } = mockApi({
      "DELETE /api/v1/projects/alpha/members/bob/": () => noContent(),
      "PATCH /api/v1/projects/alpha/members/bob/": () =>
        json(200, { username: "bob", role: "curator", created_at: "2026-01-01T00:00:00Z" }),
    });
    const client = createApiClient({ readCookies: cookies });
    const path = { params: { path: { slug: "alpha", username: "bob" } } };

    await client.DELETE("/api/v1/projects/{slug}/members/{username}/", path);
    await client.PATCH("/api/v1/projects/{slug}/members/{username}/", { ...path, body: { role: "curator" } });

    expect(requests.map((request) => [request.method, request.headers.get(CSRF_HEADER)])).toEqual([
      ["DELETE", "tok-42"],
      ["PATCH", "tok-42"],
    ]);
  });

  it("does not send the CSRF token on GET", async () => {
    const { requests } = mockApi({ "GET /api/v1/projects/": () => json(200, [project]) });
    const client = createApiClient({ readCookies: cookies });

    const { data } = await client.GET("/api/v1/projects/");

    expect(data).toEqual([project]);
    expect(requests[0]!.headers.has(CSRF_HEADER)).toBe(false);
    expect(requests[0]!.credentials).toBe("same-origin");
  });

  it("reads the cookie at each request, so a token rotated at login is used", async () => {
    let cookie = "csrftoken=before";
    const { requests } = mockApi({ "DELETE /api/v1/auth/session/": () => noContent() });
    const client = createApiClient({ readCookies: () => cookie });

    await client.DELETE("/api/v1/auth/session/");
    cookie = "csrftoken=after";
    await client.DELETE("/api/v1/auth/session/");

    expect(requests.map((request) => request.headers.get(CSRF_HEADER))).toEqual(["before", "after"]);
  });

  it("sends no CSRF header when there is no cookie", async () => {
    const { requests } = mockApi({ "DELETE /api/v1/auth/session/": () => noContent() });
    const client = createApiClient({ readCookies: () => "" });

    await client.DELETE("/api/v1/auth/session/");

    expect(requests[0]!.headers.has(CSRF_HEADER)).toBe(false);
  });

  it("reads document.cookie by default", async () => {
    document.cookie = "csrftoken=from-document";
    const { requests } = mockApi({ "DELETE /api/v1/auth/session/": () => noContent() });

    await createApiClient().DELETE("/api/v1/auth/session/");

    expect(requests[0]!.headers.get(CSRF_HEADER)).toBe("from-document");
  });
});
