import { describe, expect, it } from "vitest";
import { mockApi, apiError, json } from "../test/api";
import { createProject, getSession, listProjects } from "./endpoints";
import { ApiError, formErrors, toApiError } from "./errors";

describe("toApiError", () => {
  it("keeps the API's error shape as it is", () => {
    const error = toApiError(400, {
      code: "slug_taken",
      detail: "A project with slug 'alpha' already exists.",
      fields: { slug: ["This slug is taken."] },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(400);
    expect(error.code).toBe("slug_taken");
    expect(error.detail).toBe("A project with slug 'alpha' already exists.");
    expect(error.message).toBe("A project with slug 'alpha' already exists.");
    expect(error.fields).toEqual({ slug: ["This slug is taken."] });
  });

  it("gives a generic message for a body that is not the error shape", () => {
    const error = toApiError(502, "<html>Bad gateway</html>");
    expect([error.code, error.detail, error.fields]).toEqual([
      "http_error",
      "The server failed (HTTP 502). Try again later.",
      {},
    ]);
  });

  it("ignores field entries that are not lists of messages", () => {
    const error = toApiError(400, { code: "invalid", detail: "Bad.", fields: { a: ["x"], b: 3, c: "y" } });
    expect(error.fields).toEqual({ a: ["x"], c: ["y"] });
  });

  it("says the server could not be reached for status 0", () => {
    expect(toApiError(0, null).code).toBe("network_error");
  });
});

describe("formErrors", () => {
  const fields = ["name", "slug"] as const;

  it("puts field messages under the form's inputs and does not repeat the detail", () => {
    const error = toApiError(400, {
      code: "invalid",
      detail: "slug: Enter a valid slug.",
      fields: { slug: ["Enter a valid slug."], name: ["This field may not be blank."] },
    });
    expect(formErrors(error, fields)).toEqual({
      fields: { slug: ["Enter a valid slug."], name: ["This field may not be blank."] },
      general: [],
    });
  });

  it("shows the detail when no message belongs to one of the form's inputs", () => {
    const error = toApiError(403, { code: "permission_denied", detail: "Only an owner may do this.", fields: {} });
    expect(formErrors(error, fields)).toEqual({ fields: {}, general: ["Only an owner may do this."] });
  });

  it("shows messages about fields the form does not have in general", () => {
    const error = toApiError(400, {
      code: "invalid",
      detail: "label_schema: Must be a JSON object.",
      fields: { label_schema: ["Must be a JSON object."], slug: ["Enter a valid slug."] },
    });
    expect(formErrors(error, fields)).toEqual({
      fields: { slug: ["Enter a valid slug."] },
      general: ["Must be a JSON object."],
    });
  });

  it("has a message for an error that is not an ApiError", () => {
    expect(formErrors(new TypeError("boom"), fields).general).toEqual([
      "Could not reach the server. Check your connection and try again.",
    ]);
  });
});

describe("the endpoint functions", () => {
  it("reject with the parsed error and its field messages", async () => {
    mockApi({
      "POST /api/v1/projects/": () =>
        apiError(400, "slug_taken", "A project with slug 'alpha' already exists.", { slug: ["This slug is taken."] }),
    });
    const failure = await createProject({ name: "Alpha", slug: "alpha", description: "", task_kind: "spotting" }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(400);
    expect((failure as ApiError).code).toBe("slug_taken");
    expect((failure as ApiError).fields).toEqual({ slug: ["This slug is taken."] });
  });

  it("reject with status 0 when fetch itself fails", async () => {
    mockApi({});
    const failure = await listProjects().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).status).toBe(0);
  });

  it("read a 401 from the session endpoint as nobody logged in", async () => {
    mockApi({ "GET /api/v1/auth/session/": () => apiError(401, "not_authenticated", "Not logged in.") });
    await expect(getSession()).resolves.toBeNull();
  });

  it("return the logged-in user", async () => {
    const user = { id: 3, username: "ana", is_staff: false };
    mockApi({ "GET /api/v1/auth/session/": () => json(200, user) });
    await expect(getSession()).resolves.toEqual(user);
  });
});
