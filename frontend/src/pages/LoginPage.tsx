import { useRef, useState, type FormEvent } from "react";
import { ApiError } from "../api/errors";
import { useAuth } from "../auth/AuthContext";

/** The login form. Where to go afterwards is the app's business (see App). */
export function LoginPage() {
  const { logIn } = useAuth();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const passwordInput = useRef<HTMLInputElement>(null);

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setPending(true);
    setError(null);
    try {
      await logIn(username, password);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.detail : "Something went wrong. Try again.");
      setPassword("");
      passwordInput.current?.focus();
    } finally {
      setPending(false);
    }
  }

  return (
    <main className="login">
      <div className="card login-card">
        <h1 className="login-title">Log in to Spotlab</h1>
        <form data-testid="login-form" onSubmit={handleSubmit}>
          {error && (
            <div className="alert alert-error" role="alert" data-testid="login-error" id="login-error">
              {error}
            </div>
          )}
          <div className="field">
            <label htmlFor="login-username">Username</label>
            <input
              id="login-username"
              data-testid="login-username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              autoFocus
              required
              value={username}
              onChange={(event) => setUsername(event.target.value)}
              aria-describedby={error ? "login-error" : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">Password</label>
            <input
              id="login-password"
              data-testid="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              ref={passwordInput}
              value={password}
              onChange={(event) => setPassword(event.target.value)}
              aria-describedby={error ? "login-error" : undefined}
            />
          </div>
          <button type="submit" className="button button-primary button-block" data-testid="login-submit" disabled={pending}>
            {pending ? "Logging in…" : "Log in"}
          </button>
        </form>
      </div>
    </main>
  );
}
