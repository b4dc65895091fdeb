/**
 * The edge's bans, for a token of all tenants (the API serves them to no
 * other): the sources auto-ban banned for every tenant (403 before any
 * check, or dropped by the kernel ban sink), until when and why; "Unban" lifts one
 * (asked first).
 */
import { useEffect, useState } from 'preact/hooks';
import { call, messageOf } from './api.js';
import { useNotedChange } from './change.js';
import { useAsk } from './dialog.js';
import { shownTime } from './shown-time.js';
import { ColumnHeads } from './column-heads.js';

interface Ban {
  readonly address: string;
  readonly until?: string;
  readonly reason?: string;
  readonly tenant?: string;
  readonly scope?: string;
  readonly by?: string;
}

const BANS = '/v1/bans';

export function BanList() {
  const [version, setVersion] = useState(0);
  const [bans, setBans] = useState<readonly Ban[] | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const ask = useAsk();
  const change = useNotedChange(() => setVersion((v) => v + 1));

  useEffect(() => {
    call<{ bans: Ban[] }>('GET', BANS).then(
      (page) => (setBans(page.bans), setProblem(undefined)),
      (err: unknown) => setProblem(messageOf(err)),
    );
  }, [version]);

  const unban = async (ban: Ban) => {
    const text = "Every edge lets its requests through to the check again at its next sweep (a few seconds), the kernel's drop included; auto-ban bans it again if it keeps being denied.";
    if (await ask({ title: `Unban ${ban.address}?`, text, confirm: 'Unban' })) {
      await change(() => call<{ address: string }>('DELETE', `${BANS}/${encodeURIComponent(ban.address)}`), ({ address }) => `Unbanned ${address}.`);
    }
  };

  return (
    <section class="panel" aria-labelledby="bans-title">
      <h2 id="bans-title">Banned sources (every tenant)</h2>
      <p class="hint">Auto-ban bans a source denied too often: until the ban ends, its requests get 403 before any check, for every tenant, or no answer at all where the kernel ban sink is on.</p>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {bans && bans.length === 0 && <p class="count">No source is banned.</p>}
      {bans && bans.length > 0 && (
        <div class="table-wrap">
          <table class="bans">
            <ColumnHeads names={['Address', 'Until', 'Why', 'Denied in', 'By']} actions />
            <tbody>
              {bans.map((b) => (
                <tr key={b.address}>
                  <td data-label="Address">
                    <span class="value">{b.address}</span>
                  </td>
                  <td data-label="Until" class="stamp">
                    {b.until === undefined ? 'until removed' : shownTime(b.until)}
                  </td>
                  <td data-label="Why">{b.reason ?? '(added by hand)'}</td>
                  <td data-label="Denied in">{b.tenant === undefined ? '' : `${b.tenant}/${b.scope}`}</td>
                  <td data-label="By">{b.by ?? ''}</td>
                  <td class="row-actions">
                    <button type="button" class="danger" onClick={() => void unban(b)} aria-label={`Unban ${b.address}`}>
                      Unban
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
