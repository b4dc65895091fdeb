/** The buttons under a form: the one that submits it, and Cancel. */
export function FormActions({ submit, cancel, disabled = false }: { submit: string; cancel: () => void; disabled?: boolean }) {
  return (
    <div class="actions">
      <button type="submit" class="primary" disabled={disabled}>
        {submit}
      </button>
      <button type="button" onClick={cancel}>
        Cancel
      </button>
    </div>
  );
}
