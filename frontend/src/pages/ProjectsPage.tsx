import { useEffect, useState } from "react";
import { listProjects, type Project } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { FormAlert, StatusNote } from "../components/Forms";
import { RoleBadge, taskKindLabel } from "../components/Labels";
import { Link } from "../components/Link";
import { projectPath } from "../router";
import { ProjectCreateForm } from "./ProjectCreateForm";

function byName(a: Project, b: Project): number {
  return a.name.localeCompare(b.name);
}

export function ProjectsPage() {
  const [projects, setProjects] = useState<Project[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [created, setCreated] = useState<Project | null>(null);

  useEffect(() => {
    let active = true;
    listProjects().then(
      (list) => active && setProjects(list),
      (error: unknown) =>
        active && setLoadError(error instanceof ApiError ? error.detail : "Could not load your projects."),
    );
    return () => {
      active = false;
    };
  }, []);

  function handleCreated(project: Project) {
    setProjects((list) => [...(list ?? []).filter((item) => item.slug !== project.slug), project].sort(byName));
    setCreated(project);
  }

  return (
    <main className="page page-split">
      <section className="page-main" aria-labelledby="projects-heading">
        <h1 id="projects-heading">Projects</h1>
        <FormAlert messages={loadError ? [loadError] : []} />
        {created && (
          <StatusNote>
            Project <Link to={projectPath(created.slug)}>{created.name}</Link> created. You are its owner.
          </StatusNote>
        )}
        {projects === null && !loadError && <p className="muted">Loading projects…</p>}
        {projects !== null && projects.length === 0 && (
          <div className="empty-state" data-testid="projects-empty">
            <h2>No projects yet</h2>
            <p>
              You are not a member of any project. Create one with the form on this page, or ask a project owner
              to add you.
            </p>
          </div>
        )}
        {projects !== null && projects.length > 0 && (
          <ul className="project-list" data-testid="project-list">
            {projects.map((project) => (
              <li key={project.slug} className="project-item" data-testid="project-item">
                <div className="project-item-head">
                  <Link to={projectPath(project.slug)} className="project-item-name">
                    {project.name}
                  </Link>
                  <RoleBadge role={project.role} />
                </div>
                <div className="project-item-meta">
                  <span className="mono">{project.slug}</span>
                  <span aria-hidden="true">·</span>
                  <span>{taskKindLabel(project.task_kind)}</span>
                  {project.passes_per_item !== undefined && (
                    <>
                      <span aria-hidden="true">·</span>
                      <span>
                        {project.passes_per_item} {project.passes_per_item === 1 ? "pass" : "passes"} per item
                      </span>
                    </>
                  )}
                </div>
                {project.description && <p className="project-item-description">{project.description}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>
      <aside className="page-side">
        <ProjectCreateForm onCreated={handleCreated} />
      </aside>
    </main>
  );
}
