/**
 * The denied sources as the API lists them (its DeniedSource component),
 * one row each with its "Allow" button; on a phone each row is a card.
 */
import type { Scope } from '../policy/index.js';
import { SCOPE_TEXT } from './scopes.js';
import { shownTime } from './shown-time.js';
import { ColumnHeads } from './column-heads.js';

export interface DeniedSource {
  readonly scope: Scope;
  readonly address: string;
  readonly count: number;
  readonly firstSeen: string;
  readonly lastSeen: string;
  readonly method: string;
  readonly transport: string;
  readonly userAgent?: string;
  readonly domain?: string;
}

interface Props {
  readonly sources: readonly DeniedSource[];
  /** More sources were recorded than are shown. */
  readonly more: boolean;
  readonly allow: (source: DeniedSource) => void;
}

function countText(shown: number, more: boolean): string {
  if (shown === 0) return 'No denied sources recorded: nothing was refused lately.';
  return `${shown} denied ${shown === 1 ? 'source' : 'sources'}${more ? ' shown; more were recorded' : ''}`;
}

export function DeniedTable({ sources, more, allow }: Props) {
  return (
    <>
      <p class="count" aria-live="polite" id="denied-count">
        {countText(sources.length, more)}
      </p>
      {sources.length > 0 && (
        <div class="table-wrap">
          <table class="denied" aria-describedby="denied-count">
            <ColumnHeads names={['Address', 'Scope', 'Denials', 'First seen', 'Last seen', 'Last request', 'User-Agent', 'Domain']} actions />
            <tbody>
              {sources.map((s) => (
                <tr key={`${s.scope}/${s.address}`}>
                  <td data-label="Address">
                    <span class="value">{s.address}</span>
                  </td>
                  <td data-label="Scope">{SCOPE_TEXT[s.scope].title}</td>
                  <td data-label="Denials">{s.count}</td>
                  <td data-label="First seen" class="stamp">
                    {shownTime(s.firstSeen)}
                  </td>
                  <td data-label="Last seen" class="stamp">
                    {shownTime(s.lastSeen)}
                  </td>
                  <td data-label="Last request">
                    {s.method} {s.transport}
                  </td>
                  <td data-label="User-Agent">{s.userAgent ?? ''}</td>
                  <td data-label="Domain">{s.domain ?? ''}</td>
                  <td class="row-actions">
                    <button type="button" class="primary" onClick={() => allow(s)} aria-label={`Allow ${s.address} in ${SCOPE_TEXT[s.scope].title}`}>
                      Allow
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
