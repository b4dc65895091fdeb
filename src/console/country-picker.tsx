/**
 * The country picker (issue 12, as the Dialer seed's "Countries IP ACL"):
 * the countries whose addresses are allowed beside the list, with a switch
 * of their own. Codes are checked as they are typed with the API's own
 * parser (parseCountrySet); the change goes through the lockout guard like
 * any other: switching countries on without yours, or removing yours, asks
 * first (and is refused in the admin scope).
 */
import { useEffect, useState } from 'preact/hooks';
import { COUNTRY_CODES, type Scope, parseCountrySet } from '../policy/index.js';
import { call, tenantPath, withQuery } from './api.js';
import type { MakeChange } from './change.js';
import type { CountrySetting } from './list-types.js';

interface Props {
  readonly tenant: string;
  readonly scope: Scope;
  readonly countries: CountrySetting;
  readonly change: MakeChange;
}

const names = new Intl.DisplayNames(['en'], { type: 'region' });
const nameOf = (code: string) => names.of(code) ?? code;
const OPTIONS = [...COUNTRY_CODES].sort().map((code) => ({ code, label: `${nameOf(code)} (${code})` }));

/** A typed country: a code in any case, or a name from the list ("Germany (DE)" or "Germany"). */
function codeOf(typed: string): string {
  const text = typed.trim();
  const named = OPTIONS.find((o) => o.label.toLowerCase() === text.toLowerCase() || nameOf(o.code).toLowerCase() === text.toLowerCase());
  return named?.code ?? text;
}

export function CountryPicker({ tenant, scope, countries, change }: Props) {
  const [codes, setCodes] = useState<readonly string[]>(countries.codes);
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const stored = countries.codes.join(',');
  useEffect(() => setCodes(countries.codes), [stored]);
  const edited = codes.join(',') !== stored;

  const add = (event: Event) => {
    event.preventDefault();
    const parsed = parseCountrySet([...codes, codeOf(typed)].join(','));
    if (!parsed.ok) return setProblem(parsed.message);
    setCodes(parsed.codes);
    setTyped('');
    setProblem(undefined);
  };
  const put = (body: { countries?: readonly string[]; enabled?: boolean }) => (force: boolean) =>
    call('PUT', withQuery(tenantPath(tenant, `/scopes/${scope}/countries`), { force: force || undefined }), { json: body });
  const save = () => void change(put({ countries: codes }), () => (codes.length === 0 ? 'No countries are allowed now.' : `Allowed countries saved: ${codes.join(', ')}.`));
  const toggle = (event: Event) => {
    (event.currentTarget as HTMLInputElement).checked = countries.enabled;
    void change(put({ enabled: !countries.enabled }), () =>
      countries.enabled ? 'Countries are off: only the list decides.' : 'Countries are on: addresses in them are allowed beside the list.',
    );
  };

  return (
    <section class="panel countries" aria-labelledby="countries-title">
      <h2 id="countries-title">Countries</h2>
      <label class="switch">
        <input type="checkbox" role="switch" checked={countries.enabled} onChange={toggle} aria-describedby="countries-hint" />
        <span>{countries.enabled ? 'On: addresses in these countries are allowed, beside the list' : 'Off: countries allow nothing'}</span>
      </label>
      <p id="countries-hint" class="hint">
        A source is allowed when an active entry matches it or its country is below (by its registry's country, not where the device is).
      </p>
      <ul class="chips" aria-label="Allowed countries">
        {codes.length === 0 && <li class="hint">No countries.</li>}
        {codes.map((code) => (
          <li key={code} class="chip">
            {nameOf(code)} ({code})
            <button type="button" class="link" aria-label={`Remove ${nameOf(code)}`} onClick={() => setCodes(codes.filter((c) => c !== code))}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form class="field row" onSubmit={add}>
        <label for="country-add">Add a country</label>
        <input id="country-add" list="country-options" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} aria-invalid={problem !== undefined} aria-describedby="country-problem" />
        <datalist id="country-options">
          {OPTIONS.map((o) => (
            <option key={o.code} value={o.label} />
          ))}
        </datalist>
        <button type="submit">Add country</button>
        <button type="button" class="primary" disabled={!edited} onClick={save}>
          Update countries
        </button>
      </form>
      <p id="country-problem" class="field-error" role="alert">
        {problem}
      </p>
    </section>
  );
}
