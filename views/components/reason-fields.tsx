import { REPORT_REASONS, type ReportReason } from '../../domain/words';

export const REASON_TEXT: Record<ReportReason, { label: string; short: string; hint: string }> = {
  spam: { label: 'Spam', short: 'spam', hint: 'Advertising, or posted only for the links.' },
  abuse: { label: 'Abuse', short: 'abuse', hint: 'Insults, harassment or threats.' },
  personal_data: {
    label: 'Personal data',
    short: 'personal data',
    hint: 'Someone\u2019s email, phone number, address, licence key or order number.',
  },
  off_topic: { label: 'Off-topic', short: 'off-topic', hint: 'Does not belong in this forum.' },
  other: { label: 'Something else', short: 'other', hint: 'Please say what in the note.' },
};

/** The reason in a sentence ("Removed by a moderator (personal data)"); unknown ones read "other". */
export function reasonShort(reason: string | null): string {
  return REASON_TEXT[reason as ReportReason]?.short ?? 'other';
}

/** Radio buttons for the reason of a report or a removal. */
export function ReasonFields({
  selected,
  error,
  legend,
}: {
  selected?: string | undefined;
  error?: string | undefined;
  legend: string;
}) {
  return (
    <fieldset class={error ? 'field field-error' : 'field'}>
      <legend>{legend}</legend>
      {error ? (
        <p class="error-message" id="reason-error">
          {error}
        </p>
      ) : null}
      {REPORT_REASONS.map((r) => (
        <div class="radio">
          <input type="radio" id={`reason-${r}`} name="reason" value={r} checked={selected === r} />
          <label for={`reason-${r}`}>
            {REASON_TEXT[r].label}
            <span class="muted"> — {REASON_TEXT[r].hint}</span>
          </label>
        </div>
      ))}
    </fieldset>
  );
}

/** An optional note, for moderators or the author of a removed post. */
export function NoteField({
  value,
  error,
  label,
  hint,
}: {
  value?: string;
  error?: string | undefined;
  label: string;
  hint?: string;
}) {
  return (
    <div class={error ? 'field field-error' : 'field'}>
      <label for="note">{label}</label>
      {hint ? (
        <p class="hint" id="note-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="error-message" id="note-error">
          {error}
        </p>
      ) : null}
      <textarea
        id="note"
        name="note"
        rows={3}
        maxlength={1000}
        aria-describedby={
          [hint ? 'note-hint' : null, error ? 'note-error' : null].filter(Boolean).join(' ') ||
          undefined
        }
      >
        {'\n'}
        {value ?? ''}
      </textarea>
    </div>
  );
}
