import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { apiError, json, mockApi, noContent } from "../test/api";
import { jobFixture } from "../test/videos";

const owner = { id: 1, username: "olga", is_staff: false };
const alpha = {
  id: 1,
  name: "Alpha",
  slug: "alpha",
  description: "Long interviews, five passes each.",
  task_kind: "spotting",
  passes_per_item: 5,
  label_schema: {},
  role: "owner",
  created_at: "2026-01-01T00:00:00Z",
};

function member(username: string, role: string) {
  return { username, role, created_at: "2026-01-02T00:00:00Z" };
}

function open(path: string) {
  window.history.replaceState(null, "", path);
  render(<App />);
}

describe("the project page", () => {
  it("shows a friendly not-found state for a project the caller cannot see", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, owner),
      "GET /api/v1/projects/secret/": () => apiError(404, "not_found", "No project 'secret'."),
    });
    open("/projects/secret");

    expect((await screen.findByTestId("not-found")).textContent).toContain(
      "No such project, or you are not a member.",
    );
    expect(screen.queryByTestId("project-title")).toBeNull();
  });

  it("shows the project and lets an owner manage its members", async () => {
    document.cookie = "csrftoken=tok-4";
    let members = [member("ann", "annotator"), member("olga", "owner")];
    const { requests } = mockApi({
      "GET /api/v1/auth/session/": () => json(200, owner),
      "GET /api/v1/projects/alpha/": () => json(200, alpha),
      "GET /api/v1/projects/alpha/videos/": () => json(200, []),
      "GET /api/v1/projects/alpha/members/": () => json(200, members),
      "POST /api/v1/projects/alpha/members/": async (request) => {
        const body = (await request.json()) as { username: string; role: string };
        if (body.username === "ghost") {
          return apiError(400, "unknown_user", "No user 'ghost'.", { username: ["No such user."] });
        }
        members = [...members, member(body.username, body.role)];
        return json(201, member(body.username, body.role));
      },
      "PATCH /api/v1/projects/alpha/members/ann/": async (request) => {
        const body = (await request.json()) as { role: string };
        return json(200, member("ann", body.role));
      },
      "DELETE /api/v1/projects/alpha/members/ann/": () => noContent(),
    });
    const user = userEvent.setup();
    open("/projects/alpha");

    expect((await screen.findByTestId("project-title")).textContent).toBe("Alpha");
    expect(screen.getByTestId("project-role").textContent).toBe("owner");
    expect(screen.getByText("Long interviews, five passes each.")).toBeTruthy();
    // The page appears complete: the members are there with the title, not a moment later.
    const rows = screen.getAllByTestId("member-row");
    expect(rows.map((row) => within(row).getByRole("rowheader").textContent)).toEqual(["ann", "olga (you)"]);

    // Adding an unknown user shows the API's message under the username.
    await user.type(screen.getByTestId("member-add-username"), "ghost");
    await user.click(screen.getByTestId("member-add-submit"));
    expect(await screen.findByText("No such user.")).toBeTruthy();

    await user.clear(screen.getByTestId("member-add-username"));
    await user.type(screen.getByTestId("member-add-username"), "cora");
    await user.selectOptions(screen.getByTestId("member-add-role"), "curator");
    await user.click(screen.getByTestId("member-add-submit"));
    await waitFor(() => expect(screen.getAllByTestId("member-row")).toHaveLength(3));
    expect(screen.getAllByTestId("member-row").map((row) => within(row).getByRole("rowheader").textContent)).toEqual([
      "ann",
      "cora",
      "olga (you)",
    ]);
    const add = requests.filter((request) => request.method === "POST").at(-1)!;
    expect(await add.json()).toEqual({ username: "cora", role: "curator" });
    expect(add.headers.get("X-CSRFToken")).toBe("tok-4");

    await user.selectOptions(screen.getByLabelText("Role of ann"), "curator");
    await waitFor(() => expect((screen.getByLabelText("Role of ann") as HTMLSelectElement).value).toBe("curator"));
    const patch = requests.find((request) => request.method === "PATCH")!;
    expect(await patch.json()).toEqual({ role: "curator" });

    await user.click(screen.getByRole("button", { name: "Remove ann" }));
    await waitFor(() => expect(screen.getAllByTestId("member-row")).toHaveLength(2));
    expect(requests.some((request) => request.method === "DELETE")).toBe(true);
  });

  it("shows a curator the member list without the controls", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, { id: 2, username: "cora", is_staff: false }),
      "GET /api/v1/projects/alpha/": () => json(200, { ...alpha, role: "curator" }),
      "GET /api/v1/projects/alpha/videos/": () => json(200, []),
      "GET /api/v1/projects/alpha/members/": () => json(200, [member("cora", "curator"), member("olga", "owner")]),
    });
    open("/projects/alpha/");

    await screen.findByTestId("project-title");
    expect(screen.getAllByTestId("member-row")).toHaveLength(2);
    expect(screen.getByTestId("project-role").textContent).toBe("curator");
    expect(screen.queryByTestId("member-add-username")).toBeNull();
    expect(screen.queryByRole("button", { name: /Remove/ })).toBeNull();
  });

  it("keeps the role when the API refuses to demote the last owner", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, owner),
      "GET /api/v1/projects/alpha/": () => json(200, alpha),
      "GET /api/v1/projects/alpha/videos/": () => json(200, []),
      "GET /api/v1/projects/alpha/members/": () => json(200, [member("olga", "owner")]),
      "PATCH /api/v1/projects/alpha/members/olga/": () =>
        apiError(400, "last_owner", "A project must keep at least one owner.", { role: ["Last owner."] }),
    });
    const user = userEvent.setup();
    open("/projects/alpha");

    await user.selectOptions(await screen.findByLabelText("Role of olga"), "annotator");

    expect((await screen.findByRole("alert")).textContent).toBe("A project must keep at least one owner.");
    expect((screen.getByLabelText("Role of olga") as HTMLSelectElement).value).toBe("owner");
  });
});

describe("a clip-classification project", () => {
  const dfew = { ...alpha, id: 5, name: "DFEW clips", slug: "dfew", task_kind: "clip_classification", passes_per_item: 10 };
  const release = (id: number, name: string) => ({
    id,
    name,
    project: "casme",
    consensus_version: id,
    split: {},
    folds: [],
    counts: {},
    software_version: "1",
    sha256: "ab",
    created_at: "2026-02-01T00:00:00Z",
    created_by: "olga",
    exports: [],
  });

  it("gives an annotator a link to the voting session and no clips form", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, { id: 3, username: "ann", is_staff: false }),
      "GET /api/v1/projects/dfew/": () => json(200, { ...dfew, role: "annotator" }),
      "GET /api/v1/projects/dfew/videos/": () => json(200, []),
    });
    open("/projects/dfew");
    const link = await screen.findByTestId("project-vote-link");
    expect(link.textContent).toBe("Start voting");
    expect(link.getAttribute("href")).toBe("/projects/dfew/vote");
    expect(screen.queryByTestId("clips-form")).toBeNull();
    expect(screen.queryByTestId("project-curate-link")).toBeNull();
  });

  it("lets a curator cut clips from a release of a spotting project they curate, and follows the job", async () => {
    document.cookie = "csrftoken=tok-9";
    let projectReads = 0;
    const { requests } = mockApi({
      "GET /api/v1/auth/session/": () => json(200, { id: 2, username: "cora", is_staff: false }),
      "GET /api/v1/projects/dfew/": () => {
        projectReads += 1;
        return json(200, { ...dfew, role: "curator" });
      },
      "GET /api/v1/projects/dfew/videos/": () => json(200, []),
      "GET /api/v1/projects/dfew/members/": () => json(200, [member("cora", "curator")]),
      "GET /api/v1/projects/": () =>
        json(200, [
          { ...dfew, role: "curator" },
          { ...alpha, slug: "casme", name: "CASME", role: "owner" },
          { ...alpha, slug: "samm", name: "SAMM", role: "annotator" },
          { ...alpha, slug: "empty", name: "Empty", role: "curator" },
        ]),
      "GET /api/v1/projects/casme/releases/": () => json(200, [release(1, "v1"), release(2, "v2")]),
      "GET /api/v1/projects/empty/releases/": () => json(200, []),
      "POST /api/v1/projects/dfew/clips/": () => json(202, jobFixture("job-1", "queued", 0)),
      "GET /api/v1/jobs/job-1/": () => json(200, jobFixture("job-1", "succeeded", 1, "12 clips cut")),
    });
    const user = userEvent.setup();
    open("/projects/dfew");

    const projectSelect = (await screen.findByTestId("clips-project")) as HTMLSelectElement;
    expect(screen.queryByTestId("project-vote-link")).toBeNull();
    // Spotting projects the curator curates only: not the clip project, not one they annotate.
    expect([...projectSelect.options].map((option) => option.value)).toEqual(["", "casme", "empty"]);
    expect((screen.getByTestId("clips-submit") as HTMLButtonElement).disabled).toBe(true);

    await user.selectOptions(projectSelect, "empty");
    expect((await screen.findByTestId("clips-no-release")).textContent).toContain("no release yet");

    await user.selectOptions(projectSelect, "casme");
    const releaseSelect = (await screen.findByTestId("clips-release")) as HTMLSelectElement;
    expect([...releaseSelect.options].map((option) => option.value)).toEqual(["1", "2"]);
    expect(releaseSelect.value).toBe("2");
    await user.selectOptions(releaseSelect, "1");
    await user.clear(screen.getByTestId("clips-pad"));
    await user.type(screen.getByTestId("clips-pad"), "3");
    await user.click(screen.getByTestId("clips-submit"));

    expect((await screen.findByTestId("job-progress")).textContent).toContain("Cutting clips from v1");
    await waitFor(() => expect(screen.getByTestId("job-progress").getAttribute("data-state")).toBe("succeeded"));
    const post = requests.find((request) => request.method === "POST")!;
    expect(await post.json()).toEqual({ release: 1, pad: 3 });
    expect(post.headers.get("X-CSRFToken")).toBe("tok-9");
    // The finished job reloads the project, whose video list then shows the new clips.
    await waitFor(() => expect(projectReads).toBe(2));
  });

  it("shows why the server refused to cut clips, under the field it names", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, owner),
      "GET /api/v1/projects/dfew/": () => json(200, dfew),
      "GET /api/v1/projects/dfew/videos/": () => json(200, []),
      "GET /api/v1/projects/dfew/members/": () => json(200, [member("olga", "owner")]),
      "GET /api/v1/projects/": () => json(200, [{ ...alpha, slug: "casme", role: "owner" }]),
      "GET /api/v1/projects/casme/releases/": () => json(200, [release(4, "v4")]),
      "POST /api/v1/projects/dfew/clips/": () => apiError(400, "invalid", "release: not a spotting release.", { release: ["Not a spotting release."] }),
    });
    const user = userEvent.setup();
    open("/projects/dfew");
    await user.selectOptions(await screen.findByTestId("clips-project"), "casme");
    await screen.findByTestId("clips-release");
    await user.click(screen.getByTestId("clips-submit"));
    expect(await screen.findByText("Not a spotting release.")).toBeTruthy();
    expect(screen.queryByTestId("job-progress")).toBeNull();
  });

  it("is not offered in a spotting project", async () => {
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, owner),
      "GET /api/v1/projects/alpha/": () => json(200, alpha),
      "GET /api/v1/projects/alpha/videos/": () => json(200, []),
      "GET /api/v1/projects/alpha/members/": () => json(200, [member("olga", "owner")]),
    });
    open("/projects/alpha");
    await screen.findByTestId("project-title");
    expect(screen.queryByTestId("clips-form")).toBeNull();
    expect(screen.queryByTestId("project-vote-link")).toBeNull();
  });
});

describe("an unknown page", () => {
  it("is a not-found state", async () => {
    mockApi({ "GET /api/v1/auth/session/": () => json(200, owner) });
    open("/no/such/page");

    expect((await screen.findByTestId("not-found")).textContent).toContain("Page not found");
  });
});
