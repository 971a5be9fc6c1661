import { useCallback, useEffect, useState } from "react";
import { getProject, listMembers, listVideos, type Project } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { useUser } from "../auth/AuthContext";
import { RoleBadge, taskKindLabel } from "../components/Labels";
import { Link } from "../components/Link";
import { PageState } from "../components/PageState";
import { curatePath, navigate, votePath } from "../router";
import { ClipsFromReleaseForm } from "../vote/ClipsFromReleaseForm";
import { VideosSection, type VideosLoad } from "../video/VideosSection";
import { MembersSection, type MembersLoad } from "./MembersSection";

type Loaded =
  | { state: "loading" }
  | { state: "ready"; project: Project; members: MembersLoad; videos: VideosLoad; version: number }
  | { state: "not-found" }
  | { state: "error"; message: string };

function canCurate(role: string | null): boolean {
  return role === "owner" || role === "curator";
}

/** The project's videos, which every member sees. */
async function loadVideos(project: Project): Promise<VideosLoad> {
  try {
    return { videos: await listVideos(project.slug) };
  } catch (error) {
    return { error: error instanceof ApiError ? error.detail : "Could not load the videos." };
  }
}

/** The member list, for owners and curators only (the API refuses it to annotators). */
async function loadMembers(project: Project): Promise<MembersLoad> {
  if (!canCurate(project.role)) return null;
  try {
    return { members: await listMembers(project.slug) };
  } catch (error) {
    return { error: error instanceof ApiError ? error.detail : "Could not load the members." };
  }
}

export function ProjectPage({ slug }: { slug: string }) {
  const user = useUser();
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });

  const load = useCallback(
    async (isActive: () => boolean = () => true) => {
      try {
        // The page appears once, complete: the project, its videos and, for those who may see
        // it, its members.
        const project = await getProject(slug);
        const [videos, members] = await Promise.all([loadVideos(project), loadMembers(project)]);
        if (isActive()) {
          setLoaded((previous) => ({
            state: "ready",
            project,
            members,
            videos,
            version: previous.state === "ready" ? previous.version + 1 : 0,
          }));
        }
      } catch (error) {
        if (!isActive()) return;
        if (error instanceof ApiError && error.status === 404) setLoaded({ state: "not-found" });
        else setLoaded({ state: "error", message: error instanceof ApiError ? error.detail : "Could not load the project." });
      }
    },
    [slug],
  );

  useEffect(() => {
    let active = true;
    setLoaded({ state: "loading" });
    void load(() => active);
    return () => {
      active = false;
    };
  }, [load]);

  /** The caller changed their own membership: their role, or whether they still have one. */
  const handleOwnMembershipChanged = useCallback(
    (removed: boolean) => {
      if (removed) navigate("/projects");
      else void load();
    },
    [load],
  );

  if (loaded.state !== "ready") {
    return (
      <PageState
        loaded={loaded}
        loading="Loading project…"
        notFoundTitle="Project not found"
        notFound={
          <p>No such project, or you are not a member.</p>
        }
        retry={() => void load()}
      />
    );
  }

  const { project, members, videos, version } = loaded;
  const clipProject = project.task_kind === "clip_classification";
  return (
    <main className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span> <span className="mono">{project.slug}</span>
      </nav>
      <header className="project-header">
        <h1 data-testid="project-title">{project.name}</h1>
        {canCurate(project.role) && (
          <p className="project-curate">
            <Link to={curatePath(project.slug)} className="button button-small" data-testid="project-curate-link">
              Curation: agreement and consensus
            </Link>
          </p>
        )}
        {clipProject && project.role === "annotator" && (
          <p className="project-curate">
            <Link to={votePath(project.slug)} className="button button-primary" data-testid="project-vote-link">
              Start voting
            </Link>
          </p>
        )}
        {project.description && <p className="project-description">{project.description}</p>}
      </header>
      <dl className="facts">
        <div>
          <dt>Task</dt>
          <dd>{taskKindLabel(project.task_kind)}</dd>
        </div>
        <div>
          <dt>Passes per item</dt>
          <dd>{project.passes_per_item ?? "—"}</dd>
        </div>
        <div>
          <dt>Your role</dt>
          <dd>
            <RoleBadge role={project.role} testId="project-role" />
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <time dateTime={project.created_at}>{new Date(project.created_at).toLocaleDateString()}</time>
          </dd>
        </div>
      </dl>
      {clipProject && canCurate(project.role) && <ClipsFromReleaseForm slug={project.slug} onFinished={() => void load()} />}
      <VideosSection key={`videos-${version}`} slug={project.slug} initial={videos} canUpload={canCurate(project.role)} />
      {members !== null ? (
        <MembersSection
          // A reload (after the caller changed their own role) starts from the fresh list.
          key={version}
          initial={members}
          slug={project.slug}
          canManage={project.role === "owner"}
          currentUsername={user.username}
          onOwnMembershipChanged={handleOwnMembershipChanged}
        />
      ) : (
        <p className="muted">Owners and curators of this project manage its members.</p>
      )}
    </main>
  );
}
