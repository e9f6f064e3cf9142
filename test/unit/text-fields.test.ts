/**
 * Every text a person writes for others to read refuses control characters and bidirectional
 * controls, with one message, through the one rule of src/validation/fields.ts.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  createForumForm,
  editForumForm,
  tieForumForm,
  watchedWordForm,
} from '../../src/validation/admin-forms';
import {
  HIDDEN_CHARACTERS_MESSAGE,
  lineBreaks,
  withoutHiddenCharacters,
} from '../../src/validation/fields';
import {
  emailChangeForm,
  parseForm,
  plimusSignupForm,
  profileForm,
  registerForm,
  topicForm,
} from '../../src/validation/forms';
import {
  noteForm,
  removeForm,
  reportForm,
  resolveForm,
  suspendForm,
} from '../../src/validation/moderation-forms';

const product = {
  vendor_id: 'vendor-acme',
  vendor_name: 'Acme Software',
  product_id: 'product-acme',
  product_name: 'Acme Backup',
};

/** Each form with a valid submission, and the fields that are text someone writes. */
const FORMS: [string, z.ZodType, Record<string, string>, string[]][] = [
  [
    'register',
    registerForm,
    {
      username: 'new_member',
      email: 'new@example.com',
      password: 'correct horse battery staple',
      age_confirmed: '1',
    },
    ['username', 'email'],
  ],
  [
    'Plimus sign-up',
    plimusSignupForm,
    { username: 'new_member', age_confirmed: '1', public_ack: '1' },
    ['username'],
  ],
  ['email change', emailChangeForm, { email: 'new@example.com' }, ['email']],
  [
    'profile',
    profileForm,
    { display_name: 'Casey', bio: 'I back things up.' },
    ['display_name', 'bio'],
  ],
  ['topic', topicForm, { title: 'A topic title', body: 'Hello.' }, ['title']],
  ['report', reportForm, { reason: 'spam', note: 'Selling watches' }, ['note']],
  ['removal', removeForm, { reason: 'spam', note: 'Advertising' }, ['note']],
  ['note', noteForm, { note: 'Mistake' }, ['note']],
  ['resolve', resolveForm, { action: 'dismiss', note: 'Not spam' }, ['note']],
  ['suspend', suspendForm, { until: '2026-12-24', reason: 'Repeated insults' }, ['reason']],
  [
    'new forum',
    createForumForm,
    { slug: 'acme', name: 'Acme Backup', description: 'Questions.', ...product },
    ['name', 'description', 'vendor_name', 'product_name'],
  ],
  [
    'forum',
    editForumForm,
    { name: 'Acme', description: 'Q.', category: 'products' },
    ['name', 'description'],
  ],
  ['tie', tieForumForm, product, ['vendor_name', 'product_name']],
  ['watched word', watchedWordForm, { word: 'cheap pills', action: 'block' }, ['word']],
];

/** NUL, escape, DEL, a C1 control, the bidirectional overrides, embeddings, isolates and marks. */
const HIDDEN = [
  '\u0000',
  '\u001b',
  '\u007f',
  '\u0085',
  '\u202e',
  '\u202d',
  '\u202a',
  '\u202c',
  '\u2066',
  '\u2067',
  '\u2068',
  '\u2069',
  '\u200e',
  '\u200f',
  '\u061c',
];

describe('the text-line rule', () => {
  for (const [name, schema, valid, fields] of FORMS) {
    it(`${name}: the valid form passes, and each hidden character is refused in ${fields.join(', ')}`, () => {
      expect(parseForm(schema, valid)).toMatchObject({ ok: true });
      for (const field of fields) {
        for (const ch of HIDDEN) {
          const value = valid[field] ?? '';
          // In the middle of the text, where trimming cannot remove it.
          const bad = `${value.slice(0, 2)}${ch}${value.slice(2)}`;
          const parsed = parseForm(schema, { ...valid, [field]: bad });
          expect(parsed.ok, `${field} with U+${ch.codePointAt(0)?.toString(16)}`).toBe(false);
          if (!parsed.ok && field !== 'email') {
            expect(parsed.errors[field]).toBe(HIDDEN_CHARACTERS_MESSAGE);
          }
        }
      }
    });
  }

  it('keeps the line breaks of bios and notes as readForm delivers them, and refuses a stray \\r', () => {
    // readForm turns every browser line break (\r\n, or a lone \r) into \n before validation.
    const profile = parseForm(profileForm, { bio: lineBreaks('First line\r\nSecond\tline') });
    expect(profile).toMatchObject({ ok: true, data: { bio: 'First line\nSecond\tline' } });
    const note = parseForm(noteForm, { note: lineBreaks('One\rtwo') });
    expect(note).toMatchObject({ ok: true, data: { note: 'One\ntwo' } });
    const stray = parseForm(noteForm, { note: 'One\r\ntwo' });
    expect(stray.ok).toBe(false);
    if (!stray.ok) expect(stray.errors.note).toBe(HIDDEN_CHARACTERS_MESSAGE);
  });

  it('a line of text turns line breaks and tabs into spaces, as before', () => {
    expect(parseForm(topicForm, { title: 'A\ttopic\r\ntitle', body: 'x' })).toMatchObject({
      ok: true,
      data: { title: 'A topic title' },
    });
  });

  it('keeps every script, emoji and joiner a name may need', () => {
    for (const name of ['Zoë', 'محمد علي', 'שָׁלוֹם', '山田 太郎', '👩‍💻 Dev', 'می‌خواهم']) {
      expect(parseForm(profileForm, { display_name: name }), name).toMatchObject({ ok: true });
    }
  });

  it('text from elsewhere loses the hidden characters', () => {
    expect(withoutHiddenCharacters('Ev\u202eil\u0000 Name\u2066')).toBe('Evil Name');
  });
});
