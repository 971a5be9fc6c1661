import { useState } from "react";
import { useAuth } from "../auth/AuthContext";
import { ApiError } from "../api/errors";
import { navigate } from "../router";
import { Link } from "./Link";

export function Header() {
  const { auth, logOut } = useAuth();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function handleLogOut() {
    setPending(true);
    setError(null);
    try {
      await logOut();
      navigate("/login");
    } catch (caught) {
      setError(caught instanceof ApiError ? `Could not log out: ${caught.detail}` : "Could not log out.");
    } finally {
      setPending(false);
    }
  }

  return (
    <header className="app-header">
      <div className="app-header-inner">
        <Link to="/projects" className="brand">
          Spotlab
        </Link>
        {auth.status === "authenticated" && (
          <>
            <nav aria-label="Main">
              <Link to="/projects">Projects</Link>
              <Link to="/queue" data-testid="header-queue">
                My queue
              </Link>
            </nav>
            <div className="session">
              {error && (
                <span className="session-error" role="alert">
                  {error}
                </span>
              )}
              <span className="session-user" title="Logged in as">
                <span data-testid="header-username">{auth.user.username}</span>
              </span>
              <button
                type="button"
                className="button button-quiet"
                data-testid="logout"
                onClick={handleLogOut}
                disabled={pending}
              >
                Log out
              </button>
            </div>
          </>
        )}
      </div>
    </header>
  );
}
