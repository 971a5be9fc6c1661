import type { ReactNode } from "react";
import { NotFound } from "../pages/NotFoundPage";
import { FormAlert } from "./Forms";

/** What a page shows before its data is there: loading, not found, or an error to retry. */
export type PageLoad = { state: "loading" } | { state: "not-found" } | { state: "error"; message: string };

interface PageStateProps {
  loaded: PageLoad;
  /** The loading line, e.g. "Loading the pass…". */
  loading: string;
  /** The title and explanation shown when the resource does not exist for the caller. */
  notFoundTitle: string;
  notFound: ReactNode;
  /** A page that uses the wide layout once loaded keeps it while loading and on error. */
  wide?: boolean;
  /** Offer "Try again" after an error. */
  retry?: () => void;
}

/** The one loading / not-found / error block of the pages that load a resource. */
export function PageState({ loaded, loading, notFoundTitle, notFound, wide = false, retry }: PageStateProps) {
  const className = wide ? "page page-wide" : "page";
  switch (loaded.state) {
    case "loading":
      return (
        <main className={className}>
          <p className="muted" role="status">
            {loading}
          </p>
        </main>
      );
    case "not-found":
      return (
        <main className="page">
          <NotFound title={notFoundTitle}>{notFound}</NotFound>
        </main>
      );
    case "error":
      return (
        <main className={className}>
          <FormAlert messages={[loaded.message]} />
          {retry && (
            <button type="button" className="button" onClick={retry}>
              Try again
            </button>
          )}
        </main>
      );
  }
}
