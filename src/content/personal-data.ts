/**
 * Hints of personal data in a post before it is saved: email addresses, phone numbers, payment
 * card numbers (Luhn-valid) and licence-key-like strings. The poster sees what was found and
 * decides; nothing is ever blocked by these hints alone. Pure string work: the same on Node and
 * in workerd.
 */

export type PersonalDataKind = 'email' | 'phone' | 'card' | 'licence_key';

export type Finding = { kind: PersonalDataKind; text: string; start: number; end: number };

export const KIND_LABELS: Record<PersonalDataKind, string> = {
  email: 'an email address',
  phone: 'a phone number',
  card: 'a payment card number',
  licence_key: 'something that looks like a licence key',
};

// Every pattern is linear in the length of the text: each quantifier is bounded, and where a
// pattern may start is fixed by a look-behind, so that a long run of letters or digits is tried
// once, not once per character (docs/decisions/011-cooking-budget.md).

// A local part of at most 64 characters, up to 10 labels of at most 63, a top-level domain.
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,8}\.[A-Za-z]{2,24}/g;
// 13-19 digits, optionally grouped by single spaces or hyphens.
const CARD = /(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])/g;
// Optional +, then digit groups separated by spaces, dots, hyphens or parentheses: 30 characters
// at most (15 digits and their separators).
const PHONE = /(?<![\w+.-])(?:\+|00)?\(?\d[\d\s().-]{6,28}\d(?!\w|[.-]\d)/g;
// Groups of 4-8 letters/digits joined by hyphens, three to ten groups, with letters and digits.
const LICENCE_KEY = /(?<![\w-])[A-Za-z0-9]{4,8}(?:-[A-Za-z0-9]{4,8}){2,9}(?![\w-])/g;
// Things with digits that are not phone numbers: dates, times, versions.
const NOT_A_PHONE = /^(?:\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{2,4}|\d+(?:\.\d+){2,})$/;

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function* matches(re: RegExp, text: string) {
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) yield m;
}

/** Everything in `text` that looks like personal data, in order, without overlaps. */
export function findPersonalData(text: string): Finding[] {
  const found: Finding[] = [];
  // Which characters a finding already covers: checking a new one reads only its own length.
  const covered = new Uint8Array(text.length);
  const add = (kind: PersonalDataKind, m: RegExpExecArray) => {
    const start = m.index;
    const end = start + m[0].length;
    if (covered.subarray(start, end).includes(1)) return;
    covered.fill(1, start, end);
    found.push({ kind, text: m[0], start, end });
  };

  for (const m of matches(EMAIL, text)) add('email', m);
  for (const m of matches(CARD, text)) {
    const digits = m[0].replace(/\D/g, '');
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) add('card', m);
  }
  for (const m of matches(LICENCE_KEY, text)) {
    const key = m[0];
    if (/\d/.test(key) && /[A-Za-z]/.test(key) && !/^\d{4}-\d{2}-\d{2}/.test(key))
      add('licence_key', m);
  }
  for (const m of matches(PHONE, text)) {
    const candidate = m[0].trim();
    const digits = candidate.replace(/\D/g, '');
    if (digits.length < 7 || digits.length > 15) continue;
    if (NOT_A_PHONE.test(candidate)) continue;
    // Plain numbers without a phone-like shape (ids, amounts) are not flagged, except national
    // numbers written without spaces (a leading 0 and 9-12 digits).
    const shaped = /^(\+|00)/.test(candidate) || /[\s().-]/.test(candidate);
    if (!shaped && !/^0\d{8,11}$/.test(candidate)) continue;
    add('phone', m);
  }
  return found.sort((a, b) => a.start - b.start);
}

/** The text cut into plain and found parts, for highlighting. */
export function splitByFindings(
  text: string,
  findings: Finding[],
): { text: string; finding?: Finding }[] {
  const parts: { text: string; finding?: Finding }[] = [];
  let at = 0;
  for (const f of findings) {
    if (f.start > at) parts.push({ text: text.slice(at, f.start) });
    parts.push({ text: f.text, finding: f });
    at = f.end;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}
