import type { Child } from 'hono/jsx';

export type FieldErrors = Record<string, string | undefined>;

/** "There is a problem" at the top of a form, linking to each field that has one. */
export function ErrorSummary({
  errors,
  labels,
}: {
  errors: FieldErrors;
  labels?: Record<string, string>;
}) {
  const entries = Object.entries(errors).filter((e): e is [string, string] => !!e[1]);
  if (entries.length === 0) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">There is a problem</h2>
      <ul>
        {entries.map(([field, message]) => (
          <li>
            {field === 'form' ? (
              message
            ) : (
              <a href={`#${field}`}>{labels?.[field] ? `${labels[field]}: ${message}` : message}</a>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}

/** What a labelled control shares: its name (and id), label, hint and error. */
export type Labelled = { name: string; label: string; error?: string | undefined; hint?: Child };

/** The attributes that tie a control to its hint and error, for screen readers. */
export function ariaOf(p: Pick<Labelled, 'name' | 'hint' | 'error'>) {
  const described = [p.hint ? `${p.name}-hint` : null, p.error ? `${p.name}-error` : null]
    .filter(Boolean)
    .join(' ');
  return {
    'aria-describedby': described || undefined,
    'aria-invalid': p.error ? ('true' as const) : undefined,
  };
}

/** A control with its label above it, then its hint and its error. */
export function LabelledControl(p: Labelled & { children: Child }) {
  return (
    <div class={p.error ? 'field field-error' : 'field'}>
      <label for={p.name}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.name}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p class="error-message" id={`${p.name}-error`}>
          {p.error}
        </p>
      ) : null}
      {p.children}
    </div>
  );
}

export type FieldProps = Labelled & {
  type?: 'text' | 'email' | 'password' | 'search' | 'url' | 'date';
  value?: string;
  required?: boolean;
  autocomplete?: string;
  maxlength?: number;
  minlength?: number;
};

/** A labelled input with its hint and error, tied together for screen readers. */
export function Field(p: FieldProps) {
  return (
    <LabelledControl name={p.name} label={p.label} hint={p.hint} error={p.error}>
      <input
        id={p.name}
        name={p.name}
        type={p.type ?? 'text'}
        value={p.value ?? ''}
        required={p.required}
        autocomplete={p.autocomplete}
        maxlength={p.maxlength}
        minlength={p.minlength}
        {...ariaOf(p)}
      />
    </LabelledControl>
  );
}

export type CheckboxProps = {
  name: string;
  label: Child;
  checked?: boolean;
  error?: string | undefined;
  hint?: Child;
};

export function Checkbox(p: CheckboxProps) {
  return (
    <div class={p.error ? 'field checkbox field-error' : 'field checkbox'}>
      {p.error ? (
        <p class="error-message" id={`${p.name}-error`}>
          {p.error}
        </p>
      ) : null}
      <input
        id={p.name}
        name={p.name}
        type="checkbox"
        value="1"
        checked={p.checked}
        {...ariaOf(p)}
      />
      <label for={p.name}>{p.label}</label>
      {p.hint ? (
        <p class="hint" id={`${p.name}-hint`}>
          {p.hint}
        </p>
      ) : null}
    </div>
  );
}

export type TextAreaProps = Labelled & {
  value?: string;
  rows?: number;
  maxlength?: number;
};

/** A labelled multi-line input, tied to its hint and error like `Field`. */
export function TextArea(p: TextAreaProps) {
  return (
    <LabelledControl name={p.name} label={p.label} hint={p.hint} error={p.error}>
      <textarea id={p.name} name={p.name} rows={p.rows ?? 5} maxlength={p.maxlength} {...ariaOf(p)}>
        {/* A newline right after <textarea> is dropped by HTML parsers: this one, not the text's own. */}
        {'\n'}
        {p.value ?? ''}
      </textarea>
    </LabelledControl>
  );
}
