/**
 * "Clips from a spotting release": a curator of a clip-classification project picks a spotting
 * project they curate and one of its releases; a job cuts every consensus interval into a clip of
 * this project (each then ingested like an upload).
 */
import { useEffect, useId, useState, type FormEvent } from "react";
import { cutClips, listProjects, listReleases, type Job, type Project, type Release } from "../api/endpoints";
import { formErrors, NO_FORM_ERRORS, type FormErrors } from "../api/errors";
import { Field, fieldAria, FormAlert } from "../components/Forms";
import { JobProgress } from "../jobs/JobProgress";

const FIELDS = ["release", "pad"] as const;

type Load<T> = { state: "loading" } | { state: "ready"; items: T[] } | { state: "error"; message: string };

function messageOf(error: unknown, fallback: string): string {
  return formErrors(error, []).general[0] ?? fallback;
}

/** The spotting projects the caller curates: only their releases can be read and cut. */
export function sourceProjects(projects: readonly Project[]): Project[] {
  return projects.filter((project) => project.task_kind === "spotting" && (project.role === "owner" || project.role === "curator"));
}

export function ClipsFromReleaseForm({ slug, onFinished, jobPollMs }: { slug: string; onFinished?: (job: Job) => void; jobPollMs?: number }) {
  const id = useId();
  const [projects, setProjects] = useState<Load<Project>>({ state: "loading" });
  const [source, setSource] = useState("");
  const [releases, setReleases] = useState<Load<Release> | null>(null);
  const [release, setRelease] = useState("");
  const [pad, setPad] = useState("0");
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const [busy, setBusy] = useState(false);
  const [job, setJob] = useState<Job | null>(null);

  useEffect(() => {
    let active = true;
    listProjects().then(
      (list) => active && setProjects({ state: "ready", items: sourceProjects(list) }),
      (error: unknown) => active && setProjects({ state: "error", message: messageOf(error, "Could not load the projects.") }),
    );
    return () => {
      active = false;
    };
  }, []);

  useEffect(() => {
    setRelease("");
    if (!source) {
      setReleases(null);
      return;
    }
    let active = true;
    setReleases({ state: "loading" });
    listReleases(source).then(
      (list) => {
        if (!active) return;
        setReleases({ state: "ready", items: list });
        const latest = list.at(-1);
        if (latest) setRelease(String(latest.id));
      },
      (error: unknown) => active && setReleases({ state: "error", message: messageOf(error, "Could not load the releases.") }),
    );
    return () => {
      active = false;
    };
  }, [source]);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const padFrames = Number(pad);
    const local: Record<string, string[]> = {};
    if (!release) local.release = ["Choose a release."];
    if (pad.trim() === "" || !Number.isInteger(padFrames) || padFrames < 0 || padFrames > 1000) local.pad = ["A whole number of frames from 0 to 1000."];
    if (Object.keys(local).length > 0) {
      setErrors({ fields: local, general: [] });
      return;
    }
    setBusy(true);
    setErrors(NO_FORM_ERRORS);
    try {
      setJob(await cutClips(slug, { release: Number(release), pad: padFrames }));
    } catch (error) {
      setErrors(formErrors(error, FIELDS));
    } finally {
      setBusy(false);
    }
  }

  const chosenRelease = releases?.state === "ready" ? releases.items.find((item) => String(item.id) === release) : undefined;

  return (
    <section className="panel" aria-labelledby={`${id}-title`} data-testid="clips-form">
      <h2 className="panel-title" id={`${id}-title`}>
        Clips from a spotting release
      </h2>
      <p className="muted">Every consensus interval of the release becomes a clip of this project, with its subject, padded by a few frames either side.</p>
      {projects.state === "loading" && (
        <p className="muted" role="status">
          Loading the projects…
        </p>
      )}
      {projects.state === "error" && <FormAlert messages={[projects.message]} />}
      {projects.state === "ready" && projects.items.length === 0 && (
        <p className="muted" data-testid="clips-no-source">
          You curate no spotting project to cut clips from.
        </p>
      )}
      {projects.state === "ready" && projects.items.length > 0 && (
        <form className="form" onSubmit={(event) => void handleSubmit(event)} noValidate>
          <FormAlert messages={errors.general} />
          <Field id={`${id}-project`} label="Spotting project">
            <select id={`${id}-project`} data-testid="clips-project" value={source} onChange={(event) => setSource(event.target.value)}>
              <option value="">Choose a project…</option>
              {projects.items.map((project) => (
                <option key={project.slug} value={project.slug}>
                  {project.name} ({project.slug})
                </option>
              ))}
            </select>
          </Field>
          {releases?.state === "loading" && (
            <p className="muted" role="status">
              Loading the releases…
            </p>
          )}
          {releases?.state === "error" && <FormAlert messages={[releases.message]} />}
          {releases?.state === "ready" && releases.items.length === 0 && (
            <p className="muted" data-testid="clips-no-release">
              This project has no release yet: freeze one from its consensus first.
            </p>
          )}
          {releases?.state === "ready" && releases.items.length > 0 && (
            <Field id={`${id}-release`} label="Release" errors={errors.fields.release}>
              <select {...fieldAria(`${id}-release`, { errors: errors.fields.release })} data-testid="clips-release" value={release} onChange={(event) => setRelease(event.target.value)}>
                {releases.items.map((item) => (
                  <option key={item.id} value={item.id}>
                    {item.name} (consensus v{item.consensus_version}, {new Date(item.created_at).toLocaleDateString()})
                  </option>
                ))}
              </select>
            </Field>
          )}
          <Field id={`${id}-pad`} label="Padding (frames either side)" errors={errors.fields.pad}>
            <input
              {...fieldAria(`${id}-pad`, { errors: errors.fields.pad })}
              type="number"
              min={0}
              max={1000}
              step={1}
              inputMode="numeric"
              data-testid="clips-pad"
              value={pad}
              onChange={(event) => setPad(event.target.value)}
            />
          </Field>
          <button type="submit" className="button button-primary" data-testid="clips-submit" disabled={busy || !release}>
            {busy ? "Starting…" : "Cut the clips"}
          </button>
        </form>
      )}
      {job && (
        <JobProgress
          key={job.id}
          jobId={job.id}
          label={`Cutting clips from ${chosenRelease?.name ?? `release ${release}`}`}
          intervalMs={jobPollMs}
          onFinished={onFinished}
        />
      )}
    </section>
  );
}
