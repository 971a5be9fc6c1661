import { useId, useRef, useState, type FormEvent } from "react";
import { addMember, changeMemberRole, removeMember, type Member, type Role } from "../api/endpoints";
import { ApiError, formErrors, NO_FORM_ERRORS, type FormErrors } from "../api/errors";
import { Field, fieldAria, FormAlert, StatusNote } from "../components/Forms";
import { ROLE_LABELS, ROLES, RoleBadge } from "../components/Labels";

/** The member list as the project page loaded it, or why it could not; null when not shown. */
export type MembersLoad = { members: Member[] } | { error: string } | null;

interface MembersSectionProps {
  /** The list as the project page loaded it, or why it could not. */
  initial: NonNullable<MembersLoad>;
  slug: string;
  /** Owners may add, re-role and remove members; curators only see the list. */
  canManage: boolean;
  currentUsername: string;
  onOwnMembershipChanged: (removed: boolean) => void;
}

function byUsername(a: Member, b: Member): number {
  return a.username.localeCompare(b.username);
}

function message(error: unknown, fallback: string): string {
  return error instanceof ApiError ? error.detail : fallback;
}

export function MembersSection({ initial, slug, canManage, currentUsername, onOwnMembershipChanged }: MembersSectionProps) {
  const id = useId();
  const [members, setMembers] = useState<Member[] | null>("members" in initial ? initial.members : null);
  const [error, setError] = useState<string | null>("error" in initial ? initial.error : null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);

  function upsert(member: Member) {
    setMembers((list) => [...(list ?? []).filter((item) => item.username !== member.username), member].sort(byUsername));
  }

  async function handleRoleChange(username: string, role: Role) {
    setBusy(username);
    setError(null);
    setStatus(null);
    try {
      upsert(await changeMemberRole(slug, username, role));
      setStatus(`${username} is now ${ROLE_LABELS[role].toLowerCase()}.`);
      if (username === currentUsername) onOwnMembershipChanged(false);
    } catch (caught) {
      setError(message(caught, `Could not change the role of ${username}.`));
    } finally {
      setBusy(null);
    }
  }

  async function handleRemove(username: string) {
    setBusy(username);
    setError(null);
    setStatus(null);
    try {
      await removeMember(slug, username);
      setMembers((list) => (list ?? []).filter((item) => item.username !== username));
      setStatus(`${username} was removed from the project.`);
      if (username === currentUsername) onOwnMembershipChanged(true);
    } catch (caught) {
      setError(message(caught, `Could not remove ${username}.`));
    } finally {
      setBusy(null);
    }
  }

  function handleAdded(member: Member) {
    upsert(member);
    setError(null);
    setStatus(`${member.username} was added as ${ROLE_LABELS[member.role].toLowerCase()}.`);
  }

  return (
    <section className="members" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>Members</h2>
      <FormAlert messages={error ? [error] : []} />
      <StatusNote>{status}</StatusNote>
      {members !== null && (
        <div className="table-wrap">
          <table className="table" data-testid="member-table">
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Member since</th>
                {canManage && (
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {members.map((member) => (
                <tr key={member.username} data-testid="member-row">
                  <th scope="row" className="member-username">
                    {member.username}
                    {member.username === currentUsername && <span className="muted"> (you)</span>}
                  </th>
                  <td>
                    {canManage ? (
                      <select
                        aria-label={`Role of ${member.username}`}
                        value={member.role}
                        disabled={busy === member.username}
                        onChange={(event) => void handleRoleChange(member.username, event.target.value as Role)}
                      >
                        {ROLES.map((role) => (
                          <option key={role} value={role}>
                            {ROLE_LABELS[role]}
                          </option>
                        ))}
                      </select>
                    ) : (
                      <RoleBadge role={member.role} />
                    )}
                  </td>
                  <td>
                    <time dateTime={member.created_at}>{new Date(member.created_at).toLocaleDateString()}</time>
                  </td>
                  {canManage && (
                    <td className="actions">
                      <button
                        type="button"
                        className="button button-danger button-small"
                        disabled={busy === member.username}
                        onClick={() => void handleRemove(member.username)}
                        aria-label={`Remove ${member.username}`}
                      >
                        Remove
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canManage && <MemberAddForm slug={slug} onAdded={handleAdded} />}
    </section>
  );
}

const ADD_FIELDS = ["username", "role"] as const;

function MemberAddForm({ slug, onAdded }: { slug: string; onAdded: (member: Member) => void }) {
  const id = useId();
  const [username, setUsername] = useState("");
  const [role, setRole] = useState<Role>("annotator");
  const [errors, setErrors] = useState<FormErrors>(NO_FORM_ERRORS);
  const [pending, setPending] = useState(false);
  const usernameInput = useRef<HTMLInputElement>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setErrors(NO_FORM_ERRORS);
    try {
      const member = await addMember(slug, { username: username.trim(), role });
      setUsername("");
      onAdded(member);
    } catch (caught) {
      setErrors(formErrors(caught, ADD_FIELDS));
    } finally {
      setPending(false);
      usernameInput.current?.focus();
    }
  }

  return (
    <form className="member-add" onSubmit={handleSubmit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Add a member</h3>
      <FormAlert messages={errors.general} />
      <div className="inline-fields">
        <Field id={`${id}-username`} label="Username" errors={errors.fields.username}>
          <input
            {...fieldAria(`${id}-username`, { errors: errors.fields.username })}
            ref={usernameInput}
            data-testid="member-add-username"
            autoCapitalize="none"
            spellCheck={false}
            autoComplete="off"
            required
            value={username}
            onChange={(event) => setUsername(event.target.value)}
          />
        </Field>
        <Field id={`${id}-role`} label="Role" errors={errors.fields.role}>
          <select
            {...fieldAria(`${id}-role`, { errors: errors.fields.role })}
            data-testid="member-add-role"
            value={role}
            onChange={(event) => setRole(event.target.value as Role)}
          >
            {ROLES.map((option) => (
              <option key={option} value={option}>
                {ROLE_LABELS[option]}
              </option>
            ))}
          </select>
        </Field>
        <div className="field field-action">
          <button type="submit" className="button button-primary" data-testid="member-add-submit" disabled={pending}>
            {pending ? "Adding…" : "Add member"}
          </button>
        </div>
      </div>
    </form>
  );
}
