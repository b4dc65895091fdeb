/**
 * Who is knocking (issue 14): the sources the edges denied for the tenant,
 * newest or busiest first, one scope or all, each with an "Allow" that adds
 * it to its scope's list in one step (the answer to "my phone stopped
 * registering after we moved offices"). A token for all tenants also sees
 * the edge's bans below.
 */
import { useEffect, useState } from 'preact/hooks';
import { SCOPES } from '../policy/index.js';
import { call, messageOf, tenantPath, withQuery } from './api.js';
import { AllowDenied } from './allow-denied.js';
import { BanList } from './ban-list.js';
import { type DeniedSource, DeniedTable } from './denied-table.js';
import { SCOPE_TEXT } from './scopes.js';

/** The API answers the first `limit` sources (it has no offset): "Show more" asks for this many more. */
const STEP = 100;

type Order = 'recent' | 'busiest';

export function DeniedPage({ tenant, operator }: { tenant: string; operator: boolean }) {
  const [scope, setScope] = useState('');
  const [order, setOrder] = useState<Order>('recent');
  const [limit, setLimit] = useState(STEP);
  const [version, setVersion] = useState(0);
  const [sources, setSources] = useState<readonly DeniedSource[] | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [allowing, setAllowing] = useState<DeniedSource | undefined>();

  useEffect(() => {
    let current = true;
    // One more than shown: whether there are more to show.
    call<{ sources: DeniedSource[] }>('GET', withQuery(tenantPath(tenant, '/denied'), { scope, order, limit: limit + 1 })).then(
      (page) => current && (setSources(page.sources), setProblem(undefined)),
      (err: unknown) => current && setProblem(messageOf(err)),
    );
    return () => {
      current = false;
    };
  }, [tenant, scope, order, limit, version]);

  const refilter = (set: () => void) => {
    set();
    setLimit(STEP);
  };
  return (
    <>
      <h1>Who is knocking</h1>
      <p class="intro">
        The sources the SIP edge denied for {tenant} lately: how often, first and last, and what the last request was. A phone that stopped registering after an office move shows up here; <strong>Allow</strong> adds its address to the
        scope's list (and lifts an auto-ban of it at the edge's next sweep).
      </p>
      <form class="filters" role="search" aria-label="Filter the denied sources" onSubmit={(e) => e.preventDefault()}>
        <div class="field">
          <label for="denied-scope">Scope</label>
          <select id="denied-scope" value={scope} onChange={(e) => refilter(() => setScope(e.currentTarget.value))}>
            <option value="">All scopes</option>
            {SCOPES.map((s) => (
              <option key={s} value={s}>
                {SCOPE_TEXT[s].title}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="denied-order">Order</label>
          <select id="denied-order" value={order} onChange={(e) => refilter(() => setOrder(e.currentTarget.value as Order))}>
            <option value="recent">Newest first</option>
            <option value="busiest">Busiest first</option>
          </select>
        </div>
      </form>
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {allowing && <AllowDenied key={`${allowing.scope}/${allowing.address}`} tenant={tenant} source={allowing} written={() => setVersion((v) => v + 1)} close={() => setAllowing(undefined)} />}
      {sources && <DeniedTable sources={sources.slice(0, limit)} more={sources.length > limit} allow={setAllowing} />}
      {sources && sources.length > limit && (
        <button type="button" onClick={() => setLimit(limit + STEP)}>
          Show {STEP} more
        </button>
      )}
      {operator && <BanList />}
    </>
  );
}
