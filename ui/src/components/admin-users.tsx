/** Admin pages of users, their role on the selected site, and tokens, through `UsersManager.*`. */
import { useEffect, useState } from 'preact/hooks';
import { callApi } from '../api-client';

/** A user as `UsersManager.getUsersPlusRole` returns it; a site admin gets no email for most users. */
interface User {
  login: string;
  email?: string;
  superuser_access: string;
  /** Role on the site: noaccess, view, write, admin or superuser. */
  role: string;
}

/** Props of the users page. */
export interface AdminUsersProps {
  site: { idsite: number; name: string };
  sessionToken: string;
  /** Login of the signed-in user, who cannot delete themselves here. */
  currentLogin: string;
  /** Whether the user is a superuser, who alone may delete users. */
  superuser: boolean;
}

const ROLES: readonly [string, string][] = [['noaccess', 'No access'], ['view', 'View'], ['write', 'Write'], ['admin', 'Admin']];

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Lists users with their role on the selected site, and adds, changes and deletes them. */
export function AdminUsers({ site, sessionToken, currentLogin, superuser }: AdminUsersProps) {
  const [users, setUsers] = useState<User[] | null>(null);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);
  const [reloads, setReloads] = useState(0);
  const [form, setForm] = useState({ login: '', email: '', password: '' });

  useEffect(() => {
    callApi<User[]>('UsersManager.getUsersPlusRole', { idSite: site.idsite }, sessionToken)
      .then((list) => setUsers(Array.isArray(list) ? list : []), (error: unknown) => setMessage({ error: true, text: describe(error) }));
  }, [site.idsite, reloads]);

  const run = async (action: () => Promise<unknown>, success: string) => {
    try {
      await action();
      setMessage({ error: false, text: success });
      setReloads(reloads + 1);
    } catch (error) {
      setMessage({ error: true, text: describe(error) });
    }
  };

  const addUser = (event: Event) => {
    event.preventDefault();
    const login = form.login.trim();
    void run(async () => {
      await callApi('UsersManager.addUser', { userLogin: login, email: form.email.trim(), password: form.password, initialIdSite: site.idsite }, sessionToken);
      setForm({ login: '', email: '', password: '' });
    }, `User '${login}' added with view access to ${site.name}.`);
  };

  const setRole = (login: string, role: string) => void run(
    () => callApi('UsersManager.setUserAccess', { userLogin: login, access: role, idSites: site.idsite }, sessionToken),
    `Role of '${login}' on ${site.name} set to ${role}.`,
  );

  const remove = (login: string) => {
    if (!window.confirm(`Delete the user '${login}'?`)) return;
    void run(() => callApi('UsersManager.deleteUser', { userLogin: login }, sessionToken), `User '${login}' deleted.`);
  };

  return (
    <section class="panel admin" aria-labelledby="admin-users-title">
      <h2 id="admin-users-title">Users and their access to {site.name}</h2>
      {message && <p class={message.error ? 'notice error' : 'notice'} role={message.error ? 'alert' : 'status'}>{message.text}</p>}
      {users === null ? <p class="muted" aria-busy="true">Loading users…</p> : (
        <div class="table-scroll">
          <table class="data-table admin-table">
            <thead><tr><th scope="col">Login</th><th scope="col">Email</th><th scope="col">Role on {site.name}</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.login}>
                  <th scope="row">{user.login}</th><td>{user.email ?? '–'}</td>
                  <td>
                    {user.superuser_access === '1' ? 'Superuser' : (
                      <select aria-label={`Role of ${user.login}`} value={user.role} onChange={(event) => setRole(user.login, event.currentTarget.value)}>
                        {ROLES.map(([value, name]) => <option key={value} value={value}>{name}</option>)}
                      </select>
                    )}
                  </td>
                  <td class="row-actions">{superuser && user.login !== currentLogin && <button type="button" aria-label={`Delete ${user.login}`} onClick={() => remove(user.login)}>Delete</button>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form class="admin-form" aria-label="New user" onSubmit={addUser}>
        <h3>New user</h3>
        <label class="field"><span>Login</span><input name="userLogin" required autoComplete="off" value={form.login} onInput={(event) => setForm({ ...form, login: event.currentTarget.value })} /></label>
        <label class="field"><span>Email</span><input name="email" type="email" required value={form.email} onInput={(event) => setForm({ ...form, email: event.currentTarget.value })} /></label>
        <label class="field"><span>Password</span><input name="password" type="password" required minLength={6} autoComplete="new-password" value={form.password} onInput={(event) => setForm({ ...form, password: event.currentTarget.value })} /></label>
        <div class="actions"><button type="submit" class="primary">Add user</button></div>
      </form>
    </section>
  );
}

/** Props of the tokens page. */
export interface AdminTokensProps {
  login: string;
  sessionToken: string;
}

/** Creates a token with `UsersManager.createAppSpecificTokenAuth` and shows it once. */
export function AdminTokens({ login, sessionToken }: AdminTokensProps) {
  const [description, setDescription] = useState('');
  const [password, setPassword] = useState('');
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const create = async (event: Event) => {
    event.preventDefault();
    setError(null);
    try {
      const result = await callApi<{ value?: string } | string>('UsersManager.createAppSpecificTokenAuth', { userLogin: login, passwordConfirmation: password, description: description.trim() }, sessionToken);
      setCreated(typeof result === 'string' ? result : result.value ?? '');
      setPassword('');
    } catch (failure) {
      setError(describe(failure));
    }
  };

  return (
    <section class="panel admin" aria-labelledby="admin-tokens-title">
      <h2 id="admin-tokens-title">Tokens for the Reporting API</h2>
      <p>A token lets a script call the Reporting API as {login}. Send it as <code>token_auth</code> in a POST body, never in a URL.</p>
      {error && <p class="notice error" role="alert">{error}</p>}
      {created !== null && (
        <div class="notice" role="status">
          <p>Token created. Copy it now: it is not shown again.</p>
          <pre class="tracking-code" tabIndex={0} aria-label="Created token"><code>{created}</code></pre>
        </div>
      )}
      <form class="admin-form" aria-label="New token" onSubmit={create}>
        <label class="field"><span>Description</span><input name="description" required maxLength={100} value={description} onInput={(event) => setDescription(event.currentTarget.value)} /></label>
        <label class="field"><span>Your password</span><input name="passwordConfirmation" type="password" required autoComplete="current-password" value={password} onInput={(event) => setPassword(event.currentTarget.value)} /></label>
        <div class="actions"><button type="submit" class="primary">Create token</button></div>
      </form>
    </section>
  );
}
