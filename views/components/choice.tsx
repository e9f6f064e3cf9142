import type { Child } from 'hono/jsx';
import { ariaOf, type Labelled, LabelledControl } from './form';

export type Option = { value: string; label: Child; hint?: Child };

export type SelectProps = Labelled & {
  options: Option[];
  value?: string | undefined;
};

/** A labelled drop-down, tied to its hint and error like `Field`. */
export function Select(p: SelectProps) {
  return (
    <LabelledControl name={p.name} label={p.label} hint={p.hint} error={p.error}>
      <select id={p.name} name={p.name} {...ariaOf(p)}>
        {p.options.map((o) => (
          <option value={o.value} selected={o.value === (p.value ?? '')}>
            {o.label}
          </option>
        ))}
      </select>
    </LabelledControl>
  );
}

export type RadiosProps = {
  name: string;
  legend: string;
  options: Option[];
  value?: string | undefined;
  error?: string | undefined;
  /** prefix of the ids, when the same field name appears in several forms of a page */
  idPrefix?: string;
};

/** A group of radio buttons in a fieldset; the fieldset carries the id error links point to. */
export function Radios(p: RadiosProps) {
  const id = p.idPrefix ? `${p.idPrefix}-${p.name}` : p.name;
  return (
    <fieldset class={p.error ? 'field field-error' : 'field'} id={id}>
      <legend>{p.legend}</legend>
      {p.error ? (
        <p class="error-message" id={`${id}-error`}>
          {p.error}
        </p>
      ) : null}
      {p.options.map((o) => (
        <div class="radio">
          <input
            type="radio"
            id={`${id}-${o.value}`}
            name={p.name}
            value={o.value}
            checked={o.value === p.value}
            aria-describedby={o.hint ? `${id}-${o.value}-hint` : undefined}
          />
          <label for={`${id}-${o.value}`}>{o.label}</label>
          {o.hint ? (
            <p class="hint" id={`${id}-${o.value}-hint`}>
              {o.hint}
            </p>
          ) : null}
        </div>
      ))}
    </fieldset>
  );
}
