/**
 * The notice after every change: green when it was made, red when it was
 * refused, with the API's own message. Announced to screen readers (a live
 * region) and dismissable; a success fades after a while, a failure stays
 * until dismissed or replaced.
 */
import { createContext } from 'preact';
import { useCallback, useContext, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

export type NoticeKind = 'success' | 'failure';

interface Notice {
  readonly id: number;
  readonly kind: NoticeKind;
  readonly text: string;
}

type Notify = (kind: NoticeKind, text: string) => void;

const NoticeContext = createContext<Notify>(() => undefined);

const SUCCESS_SHOWN_MS = 8000;
let nextId = 1;

export function useNotify(): Notify {
  return useContext(NoticeContext);
}

export function Notices({ children }: { children: ComponentChildren }) {
  const [notices, setNotices] = useState<readonly Notice[]>([]);
  const dismiss = useCallback((id: number) => setNotices((all) => all.filter((n) => n.id !== id)), []);
  const notify = useCallback<Notify>(
    (kind, text) => {
      const id = nextId++;
      // The newest notice replaces the older ones: one answer to one change.
      setNotices([{ id, kind, text }]);
      if (kind === 'success') setTimeout(() => dismiss(id), SUCCESS_SHOWN_MS);
    },
    [dismiss],
  );
  return (
    <NoticeContext.Provider value={notify}>
      <div class="notices" role="status" aria-live="polite">
        {notices.map((n) => (
          <p key={n.id} class={`notice notice-${n.kind}`}>
            <span>{n.text}</span>
            <button type="button" class="link" aria-label="Dismiss this notice" onClick={() => dismiss(n.id)}>
              ×
            </button>
          </p>
        ))}
      </div>
      {children}
    </NoticeContext.Provider>
  );
}
