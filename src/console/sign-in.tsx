/**
 * The sign-in form: an API token (from `sipwarden token create`), sent once
 * to open a session and then dropped from the page. A password field, so
 * the browser neither shows it nor offers to keep it in its history.
 */
import { useState } from 'preact/hooks';
import { messageOf } from './api.js';
import { type SessionInfo, signIn } from './session.js';

export function SignIn({ signedIn, ended }: { signedIn: (session: SessionInfo) => void; ended?: string }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | undefined>(ended);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const session = await signIn(token.trim());
      setToken('');
      signedIn(session);
    } catch (err) {
      setProblem(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>sipwarden console</h1>
      <form onSubmit={submit} aria-describedby={problem ? 'sign-in-problem' : undefined}>
        <label for="token">API token</label>
        <input
          id="token"
          type="password"
          autocomplete="off"
          spellcheck={false}
          required
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
          aria-invalid={problem !== undefined}
        />
        <p class="hint">A token made with <code>sipwarden token create --tenant NAME --name NAME</code>. It is not kept in the browser.</p>
        {problem && (
          <p id="sign-in-problem" class="field-error" role="alert">
            {problem}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          Sign in
        </button>
      </form>
    </main>
  );
}
