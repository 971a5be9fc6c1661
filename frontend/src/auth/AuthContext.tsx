import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { onUnauthorized } from "../api/client";
import { getSession, logIn, logOut, type User } from "../api/endpoints";
import { ApiError } from "../api/errors";

export type AuthState =
  | { status: "loading" }
  /** The server could not say who is logged in (unreachable, or its database is down). */
  | { status: "unavailable"; message: string }
  | { status: "anonymous" }
  | { status: "authenticated"; user: User };

interface AuthContextValue {
  auth: AuthState;
  logIn: (username: string, password: string) => Promise<User>;
  logOut: () => Promise<void>;
  /** Ask the server again now (it is asked every few seconds anyway while unavailable). */
  retry: () => void;
}

/** How long to wait before asking again while the server is unavailable. */
export const SESSION_RETRY_MS = 5000;

const AuthContext = createContext<AuthContextValue | null>(null);

/**
 * Who is logged in: asked of the server at start, then kept up to date by login/logout. While
 * the server cannot answer, the state says so (not "logged out": the session cookie is most
 * likely still good) and the question is asked again every few seconds, so that the page the
 * user was on, and the unsent edits it keeps, come back by themselves.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [auth, setAuth] = useState<AuthState>({ status: "loading" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let active = true;
    let timer: number | undefined;
    getSession().then(
      (user) => active && setAuth(user ? { status: "authenticated", user } : { status: "anonymous" }),
      (error: unknown) => {
        if (!active) return;
        const message =
          error instanceof ApiError && error.status !== 0
            ? error.detail
            : "Spotlab's server cannot be reached. Check your connection.";
        setAuth({ status: "unavailable", message });
        timer = window.setTimeout(() => setAttempt((n) => n + 1), SESSION_RETRY_MS);
      },
    );
    return () => {
      active = false;
      window.clearTimeout(timer);
    };
  }, [attempt]);

  // A 401 from any other call means the session is gone (expired, or logged out elsewhere).
  useEffect(() => onUnauthorized(() => setAuth({ status: "anonymous" })), []);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);

  const handleLogIn = useCallback(async (username: string, password: string) => {
    const user = await logIn(username, password);
    setAuth({ status: "authenticated", user });
    return user;
  }, []);

  const handleLogOut = useCallback(async () => {
    await logOut();
    setAuth({ status: "anonymous" });
  }, []);

  const value = useMemo(
    () => ({ auth, logIn: handleLogIn, logOut: handleLogOut, retry }),
    [auth, handleLogIn, handleLogOut, retry],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (value === null) throw new Error("useAuth() needs an <AuthProvider> above it");
  return value;
}

/** The logged-in user; for pages that are only shown once someone is. */
export function useUser(): User {
  const { auth } = useAuth();
  if (auth.status !== "authenticated") throw new Error("useUser() outside a logged-in page");
  return auth.user;
}
