import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { apiError, json, mockApi } from "../test/api";

const demo = { id: 7, username: "demo", is_staff: false };

function project(name: string, slug: string, role: string, task_kind = "spotting", passes_per_item = 5) {
  return {
    id: slug.length,
    name,
    slug,
    description: "",
    task_kind,
    passes_per_item,
    label_schema: {},
    role,
    created_at: "2026-01-01T00:00:00Z",
  };
}

function open(path: string) {
  window.history.replaceState(null, "", path);
  render(<App />);
}

describe("the project list", () => {
  it("lists the projects with their role and task kind", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, demo),
      "GET /api/v1/projects/": () =>
        json(200, [project("Alpha", "alpha", "owner"), project("DFEW clips", "dfew", "annotator", "clip_classification", 10)]),
    });
    open("/");

    const items = await screen.findAllByTestId("project-item");
    expect(window.location.pathname).toBe("/projects");
    expect(items.map((item) => within(item).getByRole("link").textContent)).toEqual(["Alpha", "DFEW clips"]);
    expect(within(items[0]!).getByText("owner")).toBeTruthy();
    expect(within(items[0]!).getByText("Spotting")).toBeTruthy();
    expect(within(items[1]!).getByText("annotator")).toBeTruthy();
    expect(within(items[1]!).getByText("Clip classification")).toBeTruthy();
    expect(within(items[1]!).getByText("10 passes per item")).toBeTruthy();
    expect(within(items[1]!).getByRole("link").getAttribute("href")).toBe("/projects/dfew");
    expect(screen.queryByTestId("projects-empty")).toBeNull();
  });

  it("has an empty state", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, demo),
      "GET /api/v1/projects/": () => json(200, []),
    });
    open("/projects");

    expect((await screen.findByTestId("projects-empty")).textContent).toContain("No projects yet");
    expect(screen.queryByTestId("project-list")).toBeNull();
    expect(screen.getByTestId("project-create-form")).toBeTruthy();
  });

  it("creates a project with a slug derived from its name and adds it to the list", async () => {
    document.cookie = "csrftoken=tok-3";
    const { requests } = mockApi({
      "GET /api/v1/auth/session/": () => json(200, demo),
      "GET /api/v1/projects/": () => json(200, [project("Zeta", "zeta", "curator")]),
      "POST /api/v1/projects/": async (request) => {
        const body = (await request.json()) as { name: string; slug: string; task_kind: string; passes_per_item: number };
        return json(201, project(body.name, body.slug, "owner", body.task_kind, body.passes_per_item));
      },
    });
    const user = userEvent.setup();
    open("/projects");

    await user.type(await screen.findByTestId("project-create-name"), "Émotions pilot 2");
    expect((screen.getByTestId("project-create-slug") as HTMLInputElement).value).toBe("emotions-pilot-2");
    await user.selectOptions(screen.getByLabelText("Task"), "clip_classification");
    expect((screen.getByLabelText("Passes per item") as HTMLInputElement).value).toBe("10");
    await user.click(screen.getByTestId("project-create-submit"));

    await screen.findByRole("status");
    const create = requests.find((request) => request.method === "POST")!;
    expect(await create.json()).toEqual({
      name: "Émotions pilot 2",
      slug: "emotions-pilot-2",
      description: "",
      task_kind: "clip_classification",
      passes_per_item: 10,
    });
    expect(create.headers.get("X-CSRFToken")).toBe("tok-3");
    const names = screen.getAllByTestId("project-item").map((item) => within(item).getByRole("link").textContent);
    expect(names).toEqual(["Émotions pilot 2", "Zeta"]);
    // The form is ready for the next project.
    expect((screen.getByTestId("project-create-name") as HTMLInputElement).value).toBe("");
    expect((screen.getByTestId("project-create-slug") as HTMLInputElement).value).toBe("");
  });

  it("keeps an edited slug when the name changes", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, demo),
      "GET /api/v1/projects/": () => json(200, []),
    });
    const user = userEvent.setup();
    open("/projects");

    const name = await screen.findByTestId("project-create-name");
    const slug = screen.getByTestId("project-create-slug") as HTMLInputElement;
    await user.type(name, "Pilot");
    await user.clear(slug);
    await user.type(slug, "custom");
    await user.type(name, " two");
    expect(slug.value).toBe("custom");
  });

  it("shows the API's field errors under the inputs", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, demo),
      "GET /api/v1/projects/": () => json(200, []),
      "POST /api/v1/projects/": () =>
        apiError(400, "slug_taken", "A project with slug 'alpha' already exists.", { slug: ["This slug is taken."] }),
    });
    const user = userEvent.setup();
    open("/projects");

    await user.type(await screen.findByTestId("project-create-name"), "Alpha");
    await user.click(screen.getByTestId("project-create-submit"));

    const slug = screen.getByTestId("project-create-slug");
    const message = await screen.findByText("This slug is taken.");
    expect(slug.getAttribute("aria-invalid")).toBe("true");
    expect(slug.getAttribute("aria-describedby")).toContain(message.id);
    expect(screen.queryByRole("alert")).toBeNull();
    expect((screen.getByTestId("project-create-name") as HTMLInputElement).value).toBe("Alpha");
  });
});
