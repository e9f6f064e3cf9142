import { describe, expect, it } from 'vitest';
import {
  ftsMatch,
  MAX_QUERY_LENGTH,
  OPERATORS,
  parseSearchQuery,
  positiveText,
  queryFromForm,
  SearchSyntaxError,
} from '../../src/content/search-query';

const parse = parseSearchQuery;
const day = (s: string) => Date.parse(`${s}T00:00:00Z`);

describe('parseSearchQuery', () => {
  it('reads words, phrases and exclusions', () => {
    expect(parse('backup  fails "open files" -network -"shadow copy"')).toEqual({
      words: ['backup', 'fails'],
      phrases: ['open files'],
      excluded: ['network', 'shadow copy'],
      filters: {},
      order: 'relevance',
    });
  });

  it('keeps a quoted single word as a word, and a word of several tokens whole', () => {
    expect(parse('"backup" foo-bar').words).toEqual(['backup', 'foo-bar']);
  });

  it('drops terms with nothing to search for, keeps the rest', () => {
    expect(parse('*** backup () @').words).toEqual(['backup']);
  });

  it.each([
    ['forum:acme-backup-pro', { forum: 'acme-backup-pro' }],
    ['forum:ACME-Backup', { forum: 'acme-backup' }],
    ['user:marta', { user: 'marta' }],
    ['@Devon_R', { user: 'Devon_R' }],
    ['topic:123', { topic: 123 }],
    ['is:question', { question: true }],
    ['is:answered', { question: true, answered: true }],
    ['is:unanswered', { question: true, answered: false }],
    ['is:question is:unanswered', { question: true, answered: false }],
    ['is:answered is:answered', { question: true, answered: true }],
    ['in:title', { inTitle: true }],
    ['IN:Title', { inTitle: true }],
    ['before:2026-01-31', { before: day('2026-01-31') }],
    ['after:2024-02-29', { after: day('2024-02-29') }],
    ['after:2026-01-01 before:2026-01-02', { after: day('2026-01-01'), before: day('2026-01-02') }],
  ])('reads %s', (op, filters) => {
    expect(parse(`backup ${op}`).filters).toEqual(filters);
  });

  it.each(['relevance', 'latest', 'oldest'] as const)('reads order:%s', (order) => {
    expect(parse(`backup order:${order}`).order).toBe(order);
    expect(parse(`backup order:${order.toUpperCase()}`).order).toBe(order);
  });

  it('knows every operator it lists', () => {
    const example: Record<(typeof OPERATORS)[number], string> = {
      forum: 'forum:x',
      user: 'user:x',
      topic: 'topic:1',
      is: 'is:question',
      in: 'in:title',
      before: 'before:2026-01-01',
      after: 'after:2025-01-01',
      order: 'order:latest',
    };
    for (const op of OPERATORS) expect(() => parse(`w ${example[op]}`), op).not.toThrow();
  });

  const malformed: [string, RegExp][] = [
    ['backup colour:red', /no search operator “colour:”/],
    ['backup http://example.com', /no search operator “http:”/],
    ['backup forum:', /forum: needs a value/],
    ['backup user:', /user: needs a value/],
    ['backup forum:bad_slug', /cannot be a forum/],
    ['backup forum:-x', /cannot be a forum/],
    ['backup forum:a--b', /cannot be a forum/],
    ['backup user:a.b', /cannot be a username/],
    ['backup user:way-too-long-a-username-here', /cannot be a username/],
    ['backup @bad!', /cannot be a username/],
    ['backup topic:0', /topic: takes the number/],
    ['backup topic:-3', /topic: takes the number/],
    ['backup topic:12a', /topic: takes the number/],
    ['backup is:open', /is: takes question, answered or unanswered/],
    ['backup is:answered is:unanswered', /exclude each other/],
    ['backup in:body', /in: takes title/],
    ['backup before:2026-02-30', /not one/],
    ['backup before:2026-13-01', /not one/],
    ['backup before:26-01-01', /takes a date/],
    ['backup before:2026/01/01', /takes a date/],
    ['backup after:today', /takes a date/],
    ['backup after:2026-01-02 before:2026-01-02', /after: must be a day before before:/],
    ['backup order:best', /order: takes relevance, latest or oldest/],
    ['backup forum:a forum:b', /Use forum: only once/],
    ['backup user:a @b', /Use user: only once/],
    ['backup order:latest order:oldest', /Use order: only once/],
    ['backup before:2026-01-01 before:2026-02-01', /Use before: only once/],
    ['"unclosed phrase', /quotation mark is not closed/],
    ['backup "a" "b', /quotation mark is not closed/],
    ['', /Type a word/],
    ['   ', /Type a word/],
    ['forum:x is:question', /Type a word/],
    ['-backup -network', /only of words to leave out/],
    ['"" ""', /Type a word/],
    ['x'.repeat(MAX_QUERY_LENGTH + 1), /at most 300 characters/],
    [Array.from({ length: 13 }, (_, i) => `w${i}`).join(' '), /at most 12 words/],
  ];
  it.each(malformed)('refuses %j with a reason', (q, reason) => {
    expect(() => parse(q)).toThrow(SearchSyntaxError);
    expect(() => parse(q)).toThrow(reason);
  });

  it('accepts a query of exactly the maximum length', () => {
    expect(parse('x'.repeat(MAX_QUERY_LENGTH)).words).toHaveLength(1);
  });

  it('answers odd input with a result or a SearchSyntaxError, nothing else', () => {
    const odd = [
      '"'.repeat(299),
      '-'.repeat(300),
      ':'.repeat(300),
      'a:'.repeat(150),
      '\u0000x',
      '@@@',
    ];
    for (const q of odd) {
      try {
        parse(q);
      } catch (err) {
        expect(err, q).toBeInstanceOf(SearchSyntaxError);
      }
    }
  });
});

describe('ftsMatch', () => {
  it('quotes every word and phrase, ANDs them, and excludes with NOT', () => {
    expect(ftsMatch(parse('backup "open files" -network'))).toBe(
      '("backup" AND "open files") NOT "network"',
    );
  });

  it('keeps FTS5 syntax in user text inside strings, quotes doubled', () => {
    for (const q of [
      'NEAR(a b)',
      'a* OR b',
      '{title}:x',
      '^start',
      'a AND NOT b',
      'say"hi"there',
    ]) {
      const m = ftsMatch(parse(q));
      // Outside the quoted strings only the operators this module writes remain.
      const outside = m.replace(/"(?:[^"]|"")*"/g, 'S');
      expect(outside, q).toMatch(/^\((S( AND S)*)\)( NOT S)*$/);
    }
    expect(ftsMatch(parse('say"hi"there'))).toBe('("say hi there")');
  });

  it('puts in:title around the whole expression as a column filter', () => {
    expect(ftsMatch(parse('backup -x in:title'))).toBe('{title} : (("backup") NOT "x")');
  });

  it('gives the positive words for the exact title match', () => {
    expect(positiveText(parse('Backup fails "open files" -x forum:y'))).toBe(
      'Backup fails open files',
    );
  });
});

describe('queryFromForm', () => {
  it('appends the advanced fields as operators, skipping empty ones', () => {
    expect(
      queryFromForm({ q: ' backup ', forum: 'acme', user: '', is: 'unanswered', order: 'latest' }),
    ).toBe('backup forum:acme is:unanswered order:latest');
    expect(queryFromForm({ q: '', topic: '12' })).toBe('topic:12');
    expect(queryFromForm({ page: '2' })).toBe('');
  });
});
