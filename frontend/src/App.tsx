import { useEffect } from "react";
import { AuthProvider, SESSION_RETRY_MS, useAuth } from "./auth/AuthContext";
import { Header } from "./components/Header";
import { LoginPage } from "./pages/LoginPage";
import { NotFoundPage } from "./pages/NotFoundPage";
import { ProjectPage } from "./pages/ProjectPage";
import { ProjectsPage } from "./pages/ProjectsPage";
import { VideoPage } from "./video/VideoPage";
import { AnnotatePage } from "./annotate/AnnotatePage";
import { QueuePage } from "./annotate/QueuePage";
import { AnnotatorPage } from "./curate/AnnotatorPage";
import { DashboardPage } from "./curate/DashboardPage";
import { ReviewPage } from "./curate/ReviewPage";
import { VotePage } from "./vote/VotePage";
import { DEFAULT_AFTER_LOGIN, loginPath, matchRoute, navigate, safeNextPath, useUrl } from "./router";

/** Replace the current URL with `to` (a redirect leaves no entry in the history). */
function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

/** The server could not say who is logged in: say so, and that nothing typed is lost. */
function ServerUnavailable({ message, retry }: { message: string; retry: () => void }) {
  return (
    <main className="page">
      <section className="empty-state not-found" role="alert" data-testid="server-unavailable">
        <h1>The server is unavailable</h1>
        <p>{message}</p>
        <p className="muted">
          Edits you have not sent yet are kept in this browser and are sent once the server is back. Trying again
          every {SESSION_RETRY_MS / 1000} seconds…
        </p>
        <button type="button" className="button button-primary" onClick={retry}>
          Try now
        </button>
      </section>
    </main>
  );
}

function Pages() {
  const { auth, retry } = useAuth();
  const { pathname, search } = useUrl();
  const route = matchRoute(pathname);

  const title = "slug" in route ? `${route.slug} · Spotlab` : "Spotlab";
  useEffect(() => {
    document.title = title;
  }, [title]);

  if (auth.status === "loading") {
    return (
      <main className="page">
        <p className="muted" role="status">
          Loading…
        </p>
      </main>
    );
  }
  if (auth.status === "unavailable") return <ServerUnavailable message={auth.message} retry={retry} />;
  if (route.page === "login") {
    return auth.status === "authenticated" ? <Redirect to={safeNextPath(search)} /> : <LoginPage />;
  }
  if (auth.status === "anonymous") return <Redirect to={loginPath(pathname + search)} />;

  switch (route.page) {
    case "home":
      return <Redirect to={DEFAULT_AFTER_LOGIN} />;
    case "projects":
      return <ProjectsPage />;
    case "project":
      // Keyed by slug, so that moving between projects starts from a clean page.
      return <ProjectPage key={route.slug} slug={route.slug} />;
    case "video":
      return (
        <VideoPage key={`${route.slug}/${route.videoId}`} slug={route.slug} videoId={route.videoId} search={search} />
      );
    case "queue":
      return <QueuePage />;
    case "annotate":
      return <AnnotatePage key={route.assignmentId} assignmentId={route.assignmentId} />;
    case "vote":
      return <VotePage key={route.slug} slug={route.slug} />;
    case "curate":
      return <DashboardPage key={route.slug} slug={route.slug} search={search} />;
    case "curate-video":
      return <ReviewPage key={`${route.slug}/${route.videoId}`} slug={route.slug} videoId={route.videoId} />;
    case "curate-annotator":
      return <AnnotatorPage key={`${route.slug}/${route.username}`} slug={route.slug} username={route.username} />;
    case "not-found":
      return <NotFoundPage />;
  }
}

export function App() {
  return (
    <AuthProvider>
      <Header />
      <Pages />
    </AuthProvider>
  );
}
