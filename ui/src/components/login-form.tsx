/** The sign-in form shown at `/` to a visitor who is not signed in. */
import { useState } from 'preact/hooks';
import { ApiError, signIn, type SessionView } from '../api-client';

/** Props of the form. */
export interface LoginFormProps {
  productName: string;
  logoUrl: string | null;
  onSignedIn(session: SessionView): void;
  /** Shown above the form, such as why the user was signed out. */
  notice?: string;
  /** Handler that returns to the public sites; the form offers it only when public sites exist. */
  onCancel?: () => void;
}

/** Asks for login and password and reports a failure or a block in words. */
export function LoginForm({ productName, logoUrl, onSignedIn, notice, onCancel }: LoginFormProps) {
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(login, password));
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : 'The server could not be reached. Check the connection and try again.');
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login-page">
      <form class="login-form" method="post" action="/login" onSubmit={submit} aria-labelledby="login-title">
        {logoUrl && <img class="logo" src={logoUrl} alt="" />}
        <h1 id="login-title">Sign in to {productName}</h1>
        {notice && <p class="notice" role="status">{notice}</p>}
        <label for="login">Login</label>
        <input id="login" name="login" autoComplete="username" required value={login} onInput={(event) => setLogin(event.currentTarget.value)} />
        <label for="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="current-password" required value={password} onInput={(event) => setPassword(event.currentTarget.value)} />
        {error && <p class="notice error" role="alert">{error}</p>}
        <button type="submit" class="primary" disabled={busy}>{busy ? 'Signing in…' : 'Sign in'}</button>
        {onCancel && <button type="button" onClick={onCancel}>Back to the public dashboard</button>}
      </form>
    </main>
  );
}
