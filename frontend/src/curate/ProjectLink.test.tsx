import { render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { json, mockApi } from "../test/api";

const project = { slug: "alpha", name: "Alpha", description: "", task_kind: "spotting", passes_per_item: 5, label_schema: {}, created_at: "2026-01-01T00:00:00Z" };

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

function mockProject(role: string) {
  mockApi({
    "GET /api/v1/auth/session/": () => json(200, { id: 1, username: "someone", email: "", is_staff: false }),
    "GET /api/v1/projects/alpha/": () => json(200, { ...project, role }),
    "GET /api/v1/projects/alpha/videos/": () => json(200, []),
    "GET /api/v1/projects/alpha/members/": () => json(200, []),
  });
  window.history.pushState(null, "", "/projects/alpha");
  render(<App />);
}

describe("the project page's link to the curation dashboard", () => {
  it.each(["owner", "curator"])("is shown to an %s", async (role) => {
    mockProject(role);
    const link = await screen.findByTestId("project-curate-link");
    expect(link.getAttribute("href")).toBe("/projects/alpha/curate");
  });

  it("is not shown to an annotator", async () => {
    mockProject("annotator");
    await screen.findByTestId("project-title");
    expect(screen.queryByTestId("project-curate-link")).toBeNull();
  });
});
