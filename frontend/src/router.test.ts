import { describe, expect, it } from "vitest";
import { curateAnnotatorPath, curatePath, curateVideoPath, loginPath, matchRoute, navigate, projectPath, safeNextPath, videoPath, votePath } from "./router";

describe("matchRoute", () => {
  it.each([
    ["/", { page: "home" }],
    ["/login", { page: "login" }],
    ["/login/", { page: "login" }],
    ["/projects", { page: "projects" }],
    ["/projects/", { page: "projects" }],
    ["/projects/abc", { page: "project", slug: "abc" }],
    ["/projects/abc/", { page: "project", slug: "abc" }],
    ["/projects/my_proj-2", { page: "project", slug: "my_proj-2" }],
    ["/projects/a%20b", { page: "project", slug: "a b" }],
    ["/projects/alpha/videos/7", { page: "video", slug: "alpha", videoId: 7 }],
    ["/projects/alpha/videos/123/", { page: "video", slug: "alpha", videoId: 123 }],
    ["/queue", { page: "queue" }],
    ["/annotate/42", { page: "annotate", assignmentId: 42 }],
    ["/annotate/42/", { page: "annotate", assignmentId: 42 }],
    ["/projects/alpha/curate", { page: "curate", slug: "alpha" }],
    ["/projects/alpha/curate/", { page: "curate", slug: "alpha" }],
    ["/projects/alpha/curate/videos/9", { page: "curate-video", slug: "alpha", videoId: 9 }],
    ["/projects/alpha/curate/annotators/ann-1", { page: "curate-annotator", slug: "alpha", username: "ann-1" }],
    ["/projects/alpha/curate/annotators/a%40b", { page: "curate-annotator", slug: "alpha", username: "a@b" }],
    ["/projects/dfew/vote", { page: "vote", slug: "dfew" }],
    ["/projects/dfew/vote/", { page: "vote", slug: "dfew" }],
    ["/projects/a%20b/vote", { page: "vote", slug: "a b" }],
  ])("%s is %o", (path, route) => {
    expect(matchRoute(path)).toEqual(route);
  });

  it.each(["/nope", "/projects/abc/def", "/projects/abc/videos", "/projects/abc/videos/0", "/projects/abc/videos/x1", "/projects/abc/videos/01", "/projectsx", "/login/extra", "/projects/%E0%A4%A", "/annotate/0", "/annotate/x", "/queue/1", "/projects/alpha/curate/videos/0", "/projects/alpha/curate/videos", "/projects/alpha/curate/annotators", "/projects/alpha/curate/annotators/%E0%A4%A", "/projects/alpha/curate/x/1", "/projects/alpha/vote/1", "/projects/%E0%A4%A/vote", "/vote/12"])(
    "%s is not found",
    (path) => {
      expect(matchRoute(path)).toEqual({ page: "not-found" });
    },
  );
});

describe("paths", () => {
  it("escapes a slug in a project path", () => {
    expect(projectPath("abc")).toBe("/projects/abc");
    expect(projectPath("a/b")).toBe("/projects/a%2Fb");
  });

  it("builds a video path under its project", () => {
    expect(videoPath("alpha", 12)).toBe("/projects/alpha/videos/12");
    expect(matchRoute(videoPath("a b", 3))).toEqual({ page: "video", slug: "a b", videoId: 3 });
  });

  it("builds the curators' paths, the floor in the query", () => {
    expect(curatePath("alpha")).toBe("/projects/alpha/curate");
    expect(curatePath("alpha", 0.5)).toBe("/projects/alpha/curate?floor=0.5");
    expect(curateVideoPath("a b", 7)).toBe("/projects/a%20b/curate/videos/7");
    expect(curateAnnotatorPath("alpha", "a/b")).toBe("/projects/alpha/curate/annotators/a%2Fb");
  });

  it("builds the voting session's path, which matches its route", () => {
    expect(votePath("dfew")).toBe("/projects/dfew/vote");
    expect(votePath("a/b")).toBe("/projects/a%2Fb/vote");
    expect(matchRoute(votePath("a b"))).toEqual({ page: "vote", slug: "a b" });
  });

  it("remembers where to go after login, encoded", () => {
    expect(loginPath("/projects/alpha")).toBe("/login?next=%2Fprojects%2Falpha");
    expect(loginPath("/projects/alpha?tab=members")).toBe("/login?next=%2Fprojects%2Falpha%3Ftab%3Dmembers");
  });

  it("does not bother to remember the default page", () => {
    expect(loginPath("/")).toBe("/login");
    expect(loginPath("/projects")).toBe("/login");
    expect(loginPath()).toBe("/login");
  });
});

describe("safeNextPath", () => {
  it("goes to ?next= when it is a path on this site", () => {
    expect(safeNextPath("?next=%2Fprojects%2Falpha")).toBe("/projects/alpha");
    expect(safeNextPath("?next=/projects/alpha?x=1")).toBe("/projects/alpha?x=1");
  });

  it.each(["", "?next=", "?next=https://evil.example/", "?next=//evil.example", "?next=/%5Cevil.example", "?next=/\\evil", "?next=projects", "?next=/login", "?next=/login/?next=/x"])(
    "refuses %s and goes to the project list",
    (search) => {
      expect(safeNextPath(search)).toBe("/projects");
    },
  );
});

describe("navigate", () => {
  it("pushes a history entry and tells listeners; replace does not add one", () => {
    const seen: string[] = [];
    const listener = () => seen.push(window.location.pathname);
    window.addEventListener("spotlab:navigate", listener);
    const before = window.history.length;

    navigate("/projects");
    navigate("/projects/abc", { replace: true });
    navigate("/projects/abc", { replace: true });

    window.removeEventListener("spotlab:navigate", listener);
    expect(seen).toEqual(["/projects", "/projects/abc"]);
    expect(window.history.length).toBe(before + 1);
    expect(window.location.pathname).toBe("/projects/abc");
  });
});
