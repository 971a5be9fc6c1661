import type { components } from "./schema";

/** The API's one error shape: `{code, detail, fields}`. */
export type ErrorBody = components["schemas"]["Error"];

/** A failed API call. `status` is 0 when the server could not be reached at all. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly fields: Record<string, string[]>;

  constructor(status: number, body: ErrorBody) {
    super(body.detail);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code;
    this.detail = body.detail;
    this.fields = body.fields;
  }
}

const GENERIC_DETAIL: Record<number, string> = {
  0: "Could not reach the server. Check your connection and try again.",
  401: "You are not logged in.",
  403: "You may not do this.",
  404: "Not found.",
  429: "Too many attempts. Wait a moment and try again.",
};

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/**
 * Turn whatever a failed response carried into an ApiError. A body in the API's error shape is
 * kept as it is; anything else (an HTML error page from a proxy, an empty body) gets a generic
 * message so that the caller always has something to show.
 */
export function toApiError(status: number, body: unknown): ApiError {
  const fallback =
    GENERIC_DETAIL[status] ??
    (status >= 500
      ? `The server failed (HTTP ${status}). Try again later.`
      : `The request failed (HTTP ${status}).`);
  if (typeof body !== "object" || body === null) {
    return new ApiError(status, { code: status === 0 ? "network_error" : "http_error", detail: fallback, fields: {} });
  }
  const record = body as Record<string, unknown>;
  const fields: Record<string, string[]> = {};
  if (typeof record.fields === "object" && record.fields !== null) {
    for (const [name, messages] of Object.entries(record.fields)) {
      if (isStringList(messages)) fields[name] = messages;
      else if (typeof messages === "string") fields[name] = [messages];
    }
  }
  return new ApiError(status, {
    code: typeof record.code === "string" ? record.code : "http_error",
    detail: typeof record.detail === "string" && record.detail ? record.detail : fallback,
    fields,
  });
}

/** An error as a form shows it: messages under the inputs it names, the rest above the form. */
export interface FormErrors {
  fields: Record<string, string[]>;
  general: string[];
}

export const NO_FORM_ERRORS: FormErrors = { fields: {}, general: [] };

/**
 * Split an error between a form's inputs (`formFields`) and a general message.
 *
 * When the error names at least one of the form's inputs, the messages go under those inputs and
 * `detail` is not repeated (it only restates the first field message); messages about fields the
 * form does not have are shown in general. When it names none, `detail` is the general message.
 */
export function formErrors(error: unknown, formFields: readonly string[]): FormErrors {
  const apiError = error instanceof ApiError ? error : toApiError(0, null);
  const fields: Record<string, string[]> = {};
  const general: string[] = [];
  for (const [name, messages] of Object.entries(apiError.fields)) {
    if (formFields.includes(name)) fields[name] = messages;
    else general.push(...messages);
  }
  if (Object.keys(fields).length === 0) general.unshift(apiError.detail);
  return { fields, general: [...new Set(general)] };
}
