import { describe, expect, it } from 'vitest';
import { findPersonalData } from '../../src/content/personal-data';

const kinds = (text: string) => findPersonalData(text).map((f) => `${f.kind}:${f.text}`);

describe('findPersonalData', () => {
  it('finds email addresses', () => {
    expect(kinds('write to jane.doe+forum@example.co.uk please')).toEqual([
      'email:jane.doe+forum@example.co.uk',
    ]);
  });

  it('finds phone numbers in the usual shapes', () => {
    expect(kinds('call +44 20 7946 0958, (555) 123-4567 or 0612345678')).toEqual([
      'phone:+44 20 7946 0958',
      'phone:(555) 123-4567',
      'phone:0612345678',
    ]);
  });

  it('finds payment card numbers only when the Luhn check passes', () => {
    expect(kinds('4111 1111 1111 1111 and 4111-1111-1111-1112')).toEqual([
      'card:4111 1111 1111 1111',
    ]);
    expect(kinds('5500005555555559')).toEqual(['card:5500005555555559']);
  });

  it('finds licence-key-like strings', () => {
    expect(kinds('my key is ABCD1-EFGH2-IJKL3-MNOP4')).toEqual([
      'licence_key:ABCD1-EFGH2-IJKL3-MNOP4',
    ]);
    expect(kinds('7K3P-9XQ2-M4RT-8WZL')).toEqual(['licence_key:7K3P-9XQ2-M4RT-8WZL']);
  });

  it('leaves ordinary technical text alone', () => {
    for (const text of [
      'version 7.2.1 released on 2026-11-25 at 02:00:13',
      'job finished: 12,408 files, 2 skipped',
      'the-quick-brown-fox and well-known-words',
      'order total 1234567 cents',
      'uuid 123e4567-e89b-12d3-a456-426614174000',
    ]) {
      expect(kinds(text), text).toEqual([]);
    }
  });

  it('reports positions that cut the text exactly', () => {
    const text = 'a@b.co and +1 555 123 4567';
    for (const f of findPersonalData(text)) expect(text.slice(f.start, f.end)).toBe(f.text);
  });
});
