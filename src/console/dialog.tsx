/**
 * Questions the console must have an answer to before it goes on (delete
 * this entry? lock yourself out?), in the browser's own modal <dialog>:
 * focus moves into it and stays there, Escape cancels, and the page behind
 * cannot be used meanwhile.
 */
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

export interface Question {
  readonly title: string;
  readonly text: string;
  /** The button that goes on; none for a refusal that can only be read. */
  readonly confirm?: string;
  /** A warning: the confirm button shows as dangerous. */
  readonly danger?: boolean;
}

type Ask = (question: Question) => Promise<boolean>;

const DialogContext = createContext<Ask>(async () => false);

export function useAsk(): Ask {
  return useContext(DialogContext);
}

interface Pending {
  readonly question: Question;
  readonly answer: (yes: boolean) => void;
}

export function Dialogs({ children }: { children: ComponentChildren }) {
  const [pending, setPending] = useState<Pending | undefined>();
  const ref = useRef<HTMLDialogElement>(null);
  const ask = useCallback<Ask>((question) => new Promise((answer) => setPending({ question, answer })), []);
  useEffect(() => {
    if (pending !== undefined && ref.current?.open === false) ref.current.showModal();
  }, [pending]);
  const close = (yes: boolean) => {
    ref.current?.close();
    pending?.answer(yes);
    setPending(undefined);
  };
  const question = pending?.question;
  return (
    <DialogContext.Provider value={ask}>
      {children}
      <dialog ref={ref} class="dialog" aria-labelledby="dialog-title" aria-describedby="dialog-text" onCancel={() => close(false)}>
        {question && (
          <form method="dialog" onSubmit={(e) => (e.preventDefault(), close(true))}>
            <h2 id="dialog-title">{question.title}</h2>
            <p id="dialog-text">{question.text}</p>
            <div class="actions">
              {question.confirm !== undefined && (
                <button type="submit" class={question.danger ? 'danger' : 'primary'}>
                  {question.confirm}
                </button>
              )}
              <button type="button" autofocus onClick={() => close(false)}>
                {question.confirm !== undefined ? 'Cancel' : 'Close'}
              </button>
            </div>
          </form>
        )}
      </dialog>
    </DialogContext.Provider>
  );
}
