import { describe, expect, it } from 'vitest';
import { findPersonalData } from '../../src/content/personal-data';
import { repeat } from '../fixtures/cooking/worst';

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

  // How long these take is measured by the benchmark (npm run bench -- --only cooking); here,
  // that the bounded patterns still find what they should in texts made to be slow.
  it('finds nothing, or exactly what is there, in texts made to be slow', () => {
    expect(kinds(repeat('a', 50_000))).toEqual([]);
    expect(kinds(repeat('_1', 50_000))).toEqual([]);
    expect(kinds(repeat('a.', 50_000))).toEqual([]);
    expect(kinds(`${repeat('a', 49_990)}@b.com`)).toEqual([]);
    expect(kinds(`${repeat('a', 49_990)} x@b.com`)).toEqual(['email:x@b.com']);
    expect(kinds(`a@${repeat('a.', 24_990)}com`)).toEqual([]);
    const spaced = repeat('1 ', 50_000);
    const found = findPersonalData(spaced);
    expect(found.length).toBeGreaterThan(1000);
    for (const f of found) expect(spaced.slice(f.start, f.end)).toBe(f.text);
    for (let i = 1; i < found.length; i++)
      expect(found[i]?.start).toBeGreaterThanOrEqual(found[i - 1]?.end ?? 0);
  });

  it('keeps to the lengths of real addresses and numbers', () => {
    const local = 'a'.repeat(64);
    expect(kinds(`${local}@example.com`)).toEqual([`email:${local}@example.com`]);
    expect(kinds(`a${local}@example.com`)).toEqual([]);
    expect(kinds('call +1 (555) 123-4567 or 0044 20 7946 0958')).toEqual([
      'phone:+1 (555) 123-4567',
      'phone:0044 20 7946 0958',
    ]);
    expect(kinds(`key ${Array(10).fill('AB12').join('-')}`)).toEqual([
      `licence_key:${Array(10).fill('AB12').join('-')}`,
    ]);
  });
});
