import { useId, useState, type FormEvent } from "react";
import { createProject, type Project, type TaskKind } from "../api/endpoints";
import { formErrors, NO_FORM_ERRORS, type FormErrors } from "../api/errors";
import { Field, fieldAria, FormAlert } from "../components/Forms";
import { DEFAULT_PASSES, TASK_KIND_HINTS, TASK_KIND_LABELS, TASK_KINDS } from "../components/Labels";
import { SLUG_MAX_LENGTH, slugify } from "../slug";

const FIELDS = ["name", "slug", "description", "task_kind", "passes_per_item"] as const;

/**
 * The "New project" form. The slug follows the name until the user edits it (and again once
 * they empty it); passes per item follows the task kind's default until the user edits it.
 * The API is the one judge of the input (`noValidate`): its messages appear under the inputs.
 */
export function ProjectCreateForm({ onCreated }: { onCreated: (project: Project) => void }) {
  const id = useId();
  const [name, setName] = useState("");
  const [slug, setSlug] = useState("");
  const [slugEdited, setSlugEdited] = useState(false);
  const [description, setDescription] = useState("");
  const [taskKind, setTaskKind] = useState<TaskKind>("spotting");
  const [passes, setPasses] = useState(String(DEFAULT_PASSES.spotting));
  const [passesEdited, setPassesEdited] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const [pending, setPending] = useState(false);

  function handleName(value: string) {
    setName(value);
    if (!slugEdited) setSlug(slugify(value));
  }

  function handleSlug(value: string) {
    setSlug(value);
    setSlugEdited(value !== "");
  }

  function handleTaskKind(value: TaskKind) {
    setTaskKind(value);
    if (!passesEdited) setPasses(String(DEFAULT_PASSES[value]));
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setErrors(NO_FORM_ERRORS);
    try {
      const project = await createProject({
        name: name.trim(),
        slug: slug.trim(),
        description,
        task_kind: taskKind,
        ...(passes.trim() === "" ? {} : { passes_per_item: Number(passes) }),
      });
      setName("");
      setSlug("");
      setSlugEdited(false);
      setDescription("");
      setTaskKind("spotting");
      setPasses(String(DEFAULT_PASSES.spotting));
      setPassesEdited(false);
      onCreated(project);
    } catch (caught) {
      setErrors(formErrors(caught, FIELDS));
    } finally {
      setPending(false);
    }
  }

  const field = (key: (typeof FIELDS)[number]) => errors.fields[key];

  return (
    <form className="card form" data-testid="project-create-form" onSubmit={handleSubmit} noValidate aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>New project</h2>
      <FormAlert messages={errors.general} />
      <Field id={`${id}-name`} label="Name" errors={field("name")}>
        <input
          {...fieldAria(`${id}-name`, { errors: field("name") })}
          data-testid="project-create-name"
          required
          maxLength={200}
          value={name}
          onChange={(event) => handleName(event.target.value)}
        />
      </Field>
      <Field
        id={`${id}-slug`}
        label="Slug"
        hint="Letters, digits, hyphens and underscores; the project's address."
        errors={field("slug")}
      >
        <input
          {...fieldAria(`${id}-slug`, { errors: field("slug"), hint: true })}
          className="mono"
          data-testid="project-create-slug"
          required
          maxLength={SLUG_MAX_LENGTH}
          pattern="[\-a-zA-Z0-9_]+"
          autoCapitalize="none"
          spellCheck={false}
          value={slug}
          onChange={(event) => handleSlug(event.target.value)}
        />
      </Field>
      <Field id={`${id}-kind`} label="Task" hint={TASK_KIND_HINTS[taskKind]} errors={field("task_kind")}>
        <select
          {...fieldAria(`${id}-kind`, { errors: field("task_kind"), hint: true })}
          value={taskKind}
          onChange={(event) => handleTaskKind(event.target.value as TaskKind)}
        >
          {TASK_KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {TASK_KIND_LABELS[kind]}
            </option>
          ))}
        </select>
      </Field>
      <Field
        id={`${id}-passes`}
        label="Passes per item"
        hint="How many annotators label each item independently."
        errors={field("passes_per_item")}
      >
        <input
          {...fieldAria(`${id}-passes`, { errors: field("passes_per_item"), hint: true })}
          type="number"
          inputMode="numeric"
          min={1}
          max={50}
          step={1}
          value={passes}
          onChange={(event) => {
            setPasses(event.target.value);
            setPassesEdited(true);
          }}
        />
      </Field>
      <Field id={`${id}-description`} label="Description (optional)" errors={field("description")}>
        <textarea
          {...fieldAria(`${id}-description`, { errors: field("description") })}
          rows={3}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
      </Field>
      <button type="submit" className="button button-primary" data-testid="project-create-submit" disabled={pending}>
        {pending ? "Creating…" : "Create project"}
      </button>
    </form>
  );
}
