/**
 * "Check an address": the decision the stored list gives it now, and what
 * made it: the entry that matched (through a DNS name: the name and the
 * address it resolves to), or why nothing did. Empty checks your own.
 */
import { useState } from 'preact/hooks';
import { isIpAddress, type Scope } from '../policy/index.js';
import { call, messageOf, tenantPath, withQuery } from './api.js';

interface Check {
  readonly ip: string;
  readonly allow: boolean;
  readonly reason: string;
  readonly entry?: { readonly value: string; readonly description?: string; readonly resolved?: { readonly name: string; readonly address: string } };
  readonly failing?: readonly { readonly name: string; readonly state: string; readonly failure?: string }[];
  readonly country?: string;
  readonly addressCountry?: string;
}

/** Why, in words; a reason this console does not know yet as the API names it. */
const REASONS: Readonly<Record<string, string>> = {
  'scope-disabled': 'the list is off, so every address is allowed',
  'no-match': 'no active entry contains it',
  'empty-list': 'the list is empty',
  'bad-source-address': 'it is not an address the list can judge',
  'policy-unavailable': 'the list cannot be read now',
};

/** The address's country by the country data, and whether it decided. */
function countryNote(check: Check): string {
  if (check.addressCountry === undefined) return '';
  return check.reason === 'country-allowed' ? '' : ` (country ${check.addressCountry})`;
}

function explain(check: Check): string {
  const verdict = `${check.ip} is ${check.allow ? 'allowed' : 'denied'}`;
  if (check.reason === 'country-allowed') return `${verdict}: its country ${check.country} is an allowed country`;
  if (check.entry === undefined) return `${verdict}: ${REASONS[check.reason] ?? check.reason}${countryNote(check)}`;
  const { value, description, resolved } = check.entry;
  const through = resolved ? `, which resolves to ${resolved.address}` : '';
  return `${verdict}: matched ${value}${description ? ` (${description})` : ''}${through}${countryNote(check)}`;
}

export function CheckAddress({ tenant, scope }: { tenant: string; scope: Scope }) {
  const [ip, setIp] = useState('');
  const [answer, setAnswer] = useState<{ text: string; allow?: boolean } | undefined>();
  const typed = ip.trim();
  const problem = typed !== '' && !isIpAddress(typed) ? `${typed} is not an IP address` : undefined;
  const check = async (event: Event) => {
    event.preventDefault();
    if (problem) return;
    try {
      const result = await call<Check>('GET', withQuery(tenantPath(tenant, `/scopes/${scope}/check`), { ip: typed }));
      const failing = result.failing?.map((f) => `${f.name} fails to resolve${f.failure ? ` (${f.failure})` : ''}`).join('; ');
      setAnswer({ text: explain(result) + (failing ? `. ${failing}` : ''), allow: result.allow });
    } catch (err) {
      setAnswer({ text: messageOf(err) });
    }
  };
  return (
    <form class="panel check" onSubmit={check} aria-labelledby="check-title">
      <h2 id="check-title">Check an address</h2>
      <div class="field row">
        <label for="check-ip">Address</label>
        <input id="check-ip" value={ip} onInput={(e) => setIp(e.currentTarget.value)} placeholder="your own when empty" aria-invalid={problem !== undefined} aria-describedby="check-answer" />
        <button type="submit">Check</button>
      </div>
      <p id="check-answer" class={problem ? 'field-error' : answer?.allow === undefined ? '' : answer.allow ? 'verdict allow' : 'verdict deny'} aria-live="polite">
        {problem ?? answer?.text}
      </p>
    </form>
  );
}
