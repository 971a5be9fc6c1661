import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { SESSION_RETRY_MS } from "../auth/AuthContext";
import { apiError, json, mockApi, NOT_LOGGED_IN } from "../test/api";

const demo = { id: 7, username: "demo", is_staff: false };
const alpha = {
  id: 1,
  name: "Alpha",
  slug: "alpha",
  description: "",
  task_kind: "spotting",
  passes_per_item: 5,
  label_schema: {},
  role: "annotator",
  created_at: "2026-01-01T00:00:00Z",
};

describe("the login page", () => {
  it("shows the API's error message on bad credentials and sends what was typed", async () => {
    window.history.replaceState(null, "", "/login");
    document.cookie = "csrftoken=tok-1";
    const { requests } = mockApi({
      "GET /api/v1/auth/session/": NOT_LOGGED_IN,
      "POST /api/v1/auth/session/": () => apiError(400, "invalid_credentials", "Wrong username or password."),
    });
    const user = userEvent.setup();
    render(<App />);

    await user.type(await screen.findByTestId("login-username"), "demo");
    await user.type(screen.getByTestId("login-password"), "not-the-password");
    await user.click(screen.getByTestId("login-submit"));

    const error = await screen.findByTestId("login-error");
    expect(error.textContent).toBe("Wrong username or password.");
    expect(error.getAttribute("role")).toBe("alert");
    const login = requests.find((request) => request.method === "POST")!;
    expect(await login.json()).toEqual({ username: "demo", password: "not-the-password" });
    expect(login.headers.get("X-CSRFToken")).toBe("tok-1");
    // The password is cleared for the next try; the username is kept.
    expect((screen.getByTestId("login-password") as HTMLInputElement).value).toBe("");
    expect((screen.getByTestId("login-username") as HTMLInputElement).value).toBe("demo");
    expect(window.location.pathname).toBe("/login");
  });

  it("shows the throttling message when there were too many attempts", async () => {
    window.history.replaceState(null, "", "/login");
    mockApi({
      "GET /api/v1/auth/session/": NOT_LOGGED_IN,
      "POST /api/v1/auth/session/": () =>
        apiError(429, "throttled", "Request was throttled. Expected available in 42 seconds."),
    });
    const user = userEvent.setup();
    render(<App />);

    await user.type(await screen.findByTestId("login-username"), "demo");
    await user.type(screen.getByTestId("login-password"), "x");
    await user.keyboard("{Enter}");

    expect((await screen.findByTestId("login-error")).textContent).toBe(
      "Request was throttled. Expected available in 42 seconds.",
    );
  });

  it("goes to ?next= after logging in", async () => {
    window.history.replaceState(null, "", "/login?next=%2Fprojects%2Falpha");
    mockApi({
      "GET /api/v1/auth/session/": NOT_LOGGED_IN,
      "POST /api/v1/auth/session/": () => json(200, demo),
      "GET /api/v1/projects/alpha/": () => json(200, alpha),
    });
    const user = userEvent.setup();
    render(<App />);

    await user.type(await screen.findByTestId("login-username"), "demo");
    await user.type(screen.getByTestId("login-password"), "demo-pass-123");
    await user.click(screen.getByTestId("login-submit"));

    expect((await screen.findByTestId("project-title")).textContent).toBe("Alpha");
    expect(window.location.pathname + window.location.search).toBe("/projects/alpha");
    expect(screen.getByTestId("header-username").textContent).toBe("demo");
    expect(screen.getByTestId("project-role").textContent).toBe("annotator");
    // An annotator is not shown the member list, and it is not even asked for.
    expect(screen.queryByTestId("member-table")).toBeNull();
  });

  it("sends a visitor who is not logged in to the login page, remembering the page", async () => {
    window.history.replaceState(null, "", "/projects/alpha");
    mockApi({ "GET /api/v1/auth/session/": NOT_LOGGED_IN });
    render(<App />);

    await screen.findByTestId("login-form");
    expect(window.location.pathname + window.location.search).toBe("/login?next=%2Fprojects%2Falpha");
  });

  it("sends a logged-in user away from the login page", async () => {
    window.history.replaceState(null, "", "/login");
    mockApi({
      "GET /api/v1/auth/session/": () => json(200, demo),
      "GET /api/v1/projects/": () => json(200, []),
    });
    render(<App />);

    await screen.findByTestId("projects-empty");
    expect(window.location.pathname).toBe("/projects");
  });

  it("logs out and returns to the login page", async () => {
    window.history.replaceState(null, "", "/projects");
    document.cookie = "csrftoken=tok-2";
    const { requests } = mockApi({
      "GET /api/v1/auth/session/": () => json(200, demo),
      "GET /api/v1/projects/": () => json(200, [alpha]),
      "DELETE /api/v1/auth/session/": () => new Response(null, { status: 204 }),
    });
    const user = userEvent.setup();
    render(<App />);

    await user.click(await screen.findByTestId("logout"));

    await screen.findByTestId("login-form");
    expect(window.location.pathname).toBe("/login");
    const logout = requests.find((request) => request.method === "DELETE")!;
    expect(logout.headers.get("X-CSRFToken")).toBe("tok-2");
    await waitFor(() => expect(screen.queryByTestId("header-username")).toBeNull());
  });
});

describe("when the server cannot say who is logged in", () => {
  afterEach(() => vi.useRealTimers());

  it("says the server is unavailable, not logged out, and shows the page once it is back", async () => {
    window.history.replaceState(null, "", "/projects/alpha");
    let down = true;
    const { requests } = mockApi({
      "GET /api/v1/auth/session/": () =>
        down
          ? apiError(503, "database_unavailable", "The database is unavailable or busy at the moment; try again in a few seconds.")
          : json(200, demo),
      "GET /api/v1/projects/alpha/": () => json(200, alpha),
    });
    vi.useFakeTimers({ shouldAdvanceTime: true });
    render(<App />);

    const notice = await screen.findByTestId("server-unavailable");
    expect(notice.textContent).toContain("The database is unavailable or busy at the moment");
    expect(notice.textContent).toContain("kept in this browser");
    // Not sent to the login page: the session is most likely still good.
    expect(screen.queryByTestId("login-form")).toBeNull();
    expect(window.location.pathname).toBe("/projects/alpha");

    // Still down at the next try; then back.
    await vi.advanceTimersByTimeAsync(SESSION_RETRY_MS);
    await waitFor(() => expect(requests.length).toBe(2));
    expect(screen.getByTestId("server-unavailable")).toBeTruthy();
    down = false;
    await vi.advanceTimersByTimeAsync(SESSION_RETRY_MS);
    expect((await screen.findByTestId("project-title")).textContent).toBe("Alpha");
    expect(screen.queryByTestId("server-unavailable")).toBeNull();
    expect(requests.filter((request) => request.url.endsWith("/auth/session/")).length).toBe(3);
  });

  it("says the server cannot be reached when the request fails, and retries on demand", async () => {
    window.history.replaceState(null, "", "/login");
    let reachable = false;
    mockApi({
      "GET /api/v1/auth/session/": () => {
        if (!reachable) throw new TypeError("Failed to fetch");
        return NOT_LOGGED_IN();
      },
    });
    const user = userEvent.setup();
    render(<App />);

    expect((await screen.findByTestId("server-unavailable")).textContent).toContain(
      "Spotlab's server cannot be reached",
    );
    reachable = true;
    await user.click(screen.getByRole("button", { name: "Try now" }));
    await screen.findByTestId("login-form");
    expect(screen.queryByTestId("server-unavailable")).toBeNull();
  });
});
