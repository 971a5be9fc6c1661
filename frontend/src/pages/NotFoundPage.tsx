import type { ReactNode } from "react";
import { Link } from "../components/Link";

/** The one "nothing here" state, for unknown pages and for projects the caller cannot see. */
export function NotFound({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state not-found" data-testid="not-found">
      <h1>{title}</h1>
      {children}
      <p>
        <Link to="/projects">Back to your projects</Link>
      </p>
    </div>
  );
}

export function NotFoundPage() {
  return (
    <main className="page">
      <NotFound title="Page not found">
        <p>There is no page at this address.</p>
      </NotFound>
    </main>
  );
}
