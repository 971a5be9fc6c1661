import type { ReactNode } from "react";

/** Messages about the form as a whole, announced to screen readers when they appear. */
export function FormAlert({ messages }: { messages: readonly string[] }) {
  if (messages.length === 0) return null;
  return (
    <div className="alert alert-error" role="alert">
      {messages.length === 1 ? (
        messages[0]
      ) : (
        <ul>
          {messages.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** A success or progress note that screen readers read out without moving focus. */
export function StatusNote({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="alert alert-success" role="status">
      {children}
    </div>
  );
}

/** The accessibility attributes that tie an input to its hint and its error messages. */
export function fieldAria(id: string, { errors, hint }: { errors?: readonly string[]; hint?: boolean }) {
  const invalid = (errors?.length ?? 0) > 0;
  const describedBy = [hint ? `${id}-hint` : null, invalid ? `${id}-error` : null].filter(Boolean);
  return {
    id,
    "aria-invalid": invalid || undefined,
    "aria-describedby": describedBy.length > 0 ? describedBy.join(" ") : undefined,
  };
}

interface FieldProps {
  id: string;
  label: string;
  hint?: ReactNode;
  errors?: readonly string[];
  children: ReactNode;
}

/** A labelled input with its hint and its error messages (the input uses `fieldAria`). */
export function Field({ id, label, hint, errors, children }: FieldProps) {
  return (
    <div className={errors && errors.length > 0 ? "field field-invalid" : "field"}>
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <p className="field-hint" id={`${id}-hint`}>
          {hint}
        </p>
      )}
      {errors && errors.length > 0 && (
        <p className="field-error" id={`${id}-error`}>
          {errors.join(" ")}
        </p>
      )}
    </div>
  );
}
