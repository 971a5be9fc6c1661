/** The longest slug the API accepts. */
export const SLUG_MAX_LENGTH = 64;

/**
 * A URL slug for a project name, the way Django's `slugify` makes one: accents dropped, other
 * non-ASCII characters and punctuation removed, lowercase, runs of spaces and hyphens turned
 * into one hyphen, no hyphen or underscore at either end; cut to the API's maximum length.
 */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[^\x00-\x7f]/g, "")
    .toLowerCase()
    .replace(/[^\w\s-]/g, "")
    .replace(/[-\s]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "");
  return slug.slice(0, SLUG_MAX_LENGTH).replace(/[-_]+$/, "");
}
