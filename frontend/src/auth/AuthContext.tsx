import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { onUnauthorized } from "../api/client";
import { getSession, logIn, logOut, type User } from "../api/endpoints";

export type AuthState =
  | { status: "loading" }
  | { status: "anonymous" }
  | { status: "authenticated"; user: User };

interface AuthContextValue {
  auth: AuthState;
  logIn: (username: string, password: string) => Promise<User>;
  logOut: () => Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

/** Who is logged in: asked of the server once at start, then kept up to date by login/logout. */
export function AuthProvider({ children }: { children: ReactNode }) {
  const [auth, setAuth] = useState<AuthState>({ status: "loading" });

  useEffect(() => {
    let active = true;
    getSession().then(
      (user) => active && setAuth(user ? { status: "authenticated", user } : { status: "anonymous" }),
      // The server could not say; treat it as logged out so that the login page can retry.
      () => active && setAuth({ status: "anonymous" }),
    );
    // A 401 from any other call means the session is gone (expired, or logged out elsewhere).
    const unsubscribe = onUnauthorized(() => setAuth({ status: "anonymous" }));
    return () => {
      active = false;
      unsubscribe();
    };
  }, []);

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
    () => ({ auth, logIn: handleLogIn, logOut: handleLogOut }),
    [auth, handleLogIn, handleLogOut],
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
