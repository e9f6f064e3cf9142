/**
 * The search box's language, parsed once for the header box, the advanced-search form (whose
 * fields become the same operators) and the links the forum makes (`topic:<id>`):
 *
 *   words            stemmed, diacritics ignored; every word must appear
 *   "a phrase"       the words next to each other, in this order
 *   -word -"phrase"  must not appear
 *   forum:<slug>  user:<username>  @username  topic:<id>
 *   is:question  is:answered  is:unanswered  in:title
 *   before:YYYY-MM-DD  after:YYYY-MM-DD  (UTC days; before is exclusive, after inclusive)
 *   order:relevance|latest|oldest
 *
 * Pure: no database. The text a person typed never reaches FTS5 as syntax: `ftsMatch` quotes
 * every word and phrase as an FTS5 string, so `NEAR`, `OR`, `*`, `^`, `:` and parentheses in a
 * query are only text. Any input costs one pass over at most MAX_QUERY_LENGTH characters.
 */

export const MAX_QUERY_LENGTH = 300;
/** words, phrases and exclusions together */
export const MAX_TERMS = 12;

export const SEARCH_ORDERS = ['relevance', 'latest', 'oldest'] as const;
export type SearchOrder = (typeof SEARCH_ORDERS)[number];

export type SearchFilters = {
  forum?: string;
  user?: string;
  topic?: number;
  question?: boolean;
  answered?: boolean;
  inTitle?: boolean;
  /** ms since the epoch, start of the UTC day: posts written before it */
  before?: number;
  /** ms since the epoch, start of the UTC day: posts written on it or later */
  after?: number;
};

export type SearchQuery = {
  /** words that must appear, as typed */
  words: string[];
  /** phrases that must appear, each as typed (without its quotes) */
  phrases: string[];
  /** words and phrases that must not appear */
  excluded: string[];
  filters: SearchFilters;
  order: SearchOrder;
};

/** A query that cannot be run: the message says why, in words for the person who typed it. */
export class SearchSyntaxError extends Error {
  override name = 'SearchSyntaxError';
}

export const OPERATORS = [
  'forum',
  'user',
  'topic',
  'is',
  'in',
  'before',
  'after',
  'order',
] as const;
type Operator = (typeof OPERATORS)[number];

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const USERNAME = /^[A-Za-z0-9_-]{1,20}$/;
const TOPIC_ID = /^[1-9]\d{0,14}$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** a letter or a digit: what FTS5's unicode61 tokenizer keeps from a word */
const TOKEN_CHARACTER = /[\p{L}\p{N}]/u;

const shown = (s: string) => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** `YYYY-MM-DD` as the start of that UTC day, or undefined when it is not a real date. */
function parseDay(value: string): number | undefined {
  const m = DAY.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const at = Date.UTC(y, mo - 1, d);
  const date = new Date(at);
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) {
    return undefined;
  }
  return at;
}

/** Splits the text into raw terms: runs of non-space, with double-quoted parts kept whole. */
function terms(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && /\s/u.test(text[i] as string)) i++;
    if (i >= text.length) break;
    const start = i;
    let quoted = false;
    while (i < text.length && (quoted || !/\s/u.test(text[i] as string))) {
      if (text[i] === '"') quoted = !quoted;
      i++;
    }
    if (quoted) {
      throw new SearchSyntaxError(
        'A quotation mark is not closed: put a " at the end of the phrase, or leave the quotes out.',
      );
    }
    out.push(text.slice(start, i));
  }
  return out;
}

/** The words inside a phrase or a word with quotes in it, or '' when nothing searchable is left. */
const unquote = (s: string) => s.replace(/"/g, ' ').replace(/\s+/g, ' ').trim();
const searchable = (s: string) => TOKEN_CHARACTER.test(s);

/**
 * Reads a query.
 * @throws SearchSyntaxError for an unknown operator, a bad value, a date that does not exist,
 *   operators that contradict each other, an unclosed quote, too long a query, or nothing to
 *   search for
 */
export function parseSearchQuery(text: string): SearchQuery {
  if (text.length > MAX_QUERY_LENGTH) {
    throw new SearchSyntaxError(
      `A search can be at most ${MAX_QUERY_LENGTH} characters long; this one has ${text.length}.`,
    );
  }
  const q: SearchQuery = { words: [], phrases: [], excluded: [], filters: {}, order: 'relevance' };
  const seen = new Set<Operator>();
  const once = (op: Operator) => {
    if (seen.has(op)) throw new SearchSyntaxError(`Use ${op}: only once in a search.`);
    seen.add(op);
  };
  for (const term of terms(text.normalize('NFC'))) {
    const operator = /^([a-z]+):(.*)$/i.exec(term);
    if (operator && !term.startsWith('"')) {
      const name = (operator[1] as string).toLowerCase();
      const value = operator[2] as string;
      if (!(OPERATORS as readonly string[]).includes(name)) {
        throw new SearchSyntaxError(
          `There is no search operator “${shown(name)}:”. The operators are ${OPERATORS.map((o) => `${o}:`).join(', ')}; to search for the text itself, put it in quotes: "${shown(term)}".`,
        );
      }
      readOperator(q, name as Operator, value, once);
      continue;
    }
    if (term.startsWith('@') && term.length > 1) {
      once('user');
      const name = term.slice(1);
      if (!USERNAME.test(name)) throw badUsername(name);
      q.filters.user = name;
      continue;
    }
    const negative = term.startsWith('-') && term.length > 1;
    const body = negative ? term.slice(1) : term;
    const phrase = body.startsWith('"') && body.endsWith('"') && body.length >= 2;
    const words = unquote(body);
    if (!searchable(words)) continue;
    if (negative) q.excluded.push(words);
    else if (phrase && words.includes(' ')) q.phrases.push(words);
    else q.words.push(words);
  }
  const count = q.words.length + q.phrases.length + q.excluded.length;
  if (count > MAX_TERMS) {
    throw new SearchSyntaxError(
      `A search can have at most ${MAX_TERMS} words and phrases; this one has ${count}.`,
    );
  }
  if (q.words.length + q.phrases.length === 0) {
    throw new SearchSyntaxError(
      q.excluded.length > 0
        ? 'Add a word to search for: a search cannot consist only of words to leave out.'
        : 'Type a word to search for. Operators such as forum: or is:unanswered narrow a search down, but cannot be searched for on their own.',
    );
  }
  const { before, after } = q.filters;
  if (before !== undefined && after !== undefined && after >= before) {
    throw new SearchSyntaxError(
      'after: must be a day before before:, or no post can be written between them.',
    );
  }
  return q;
}

function badUsername(name: string) {
  return new SearchSyntaxError(
    `“${shown(name)}” cannot be a username: usernames have 1 to 20 letters, digits, _ and -.`,
  );
}

function readOperator(q: SearchQuery, op: Operator, raw: string, once: (op: Operator) => void) {
  const value = raw.trim();
  if (!value) {
    throw new SearchSyntaxError(`${op}: needs a value right after the colon, like ${example(op)}.`);
  }
  const lower = value.toLowerCase();
  switch (op) {
    case 'forum':
      once(op);
      if (!SLUG.test(lower)) {
        throw new SearchSyntaxError(
          `“${shown(value)}” cannot be a forum: forum addresses are letters, digits and hyphens, like forum:acme-backup-pro.`,
        );
      }
      q.filters.forum = lower;
      return;
    case 'user':
      once(op);
      if (!USERNAME.test(value)) throw badUsername(value);
      q.filters.user = value;
      return;
    case 'topic':
      once(op);
      if (!TOPIC_ID.test(value)) {
        throw new SearchSyntaxError(
          `topic: takes the number of a topic (from its address /t/123/…), like topic:123.`,
        );
      }
      q.filters.topic = Number(value);
      return;
    case 'is':
      if (lower === 'question') {
        q.filters.question = true;
        return;
      }
      if (lower === 'answered' || lower === 'unanswered') {
        const answered = lower === 'answered';
        if (q.filters.answered !== undefined && q.filters.answered !== answered) {
          throw new SearchSyntaxError(
            'is:answered and is:unanswered exclude each other: choose one.',
          );
        }
        q.filters.answered = answered;
        q.filters.question = true;
        return;
      }
      throw new SearchSyntaxError(
        `is: takes question, answered or unanswered, not “${shown(value)}”.`,
      );
    case 'in':
      if (lower !== 'title') {
        throw new SearchSyntaxError(`in: takes title (in:title), not “${shown(value)}”.`);
      }
      q.filters.inTitle = true;
      return;
    case 'before':
    case 'after': {
      once(op);
      const at = parseDay(value);
      if (at === undefined) {
        throw new SearchSyntaxError(
          `${op}: takes a date as year-month-day, like ${op}:2026-01-31; “${shown(value)}” is not one.`,
        );
      }
      q.filters[op] = at;
      return;
    }
    case 'order':
      once(op);
      if (!(SEARCH_ORDERS as readonly string[]).includes(lower)) {
        throw new SearchSyntaxError(
          `order: takes relevance, latest or oldest, not “${shown(value)}”.`,
        );
      }
      q.order = lower as SearchOrder;
      return;
  }
}

function example(op: Operator): string {
  return {
    forum: 'forum:acme-backup-pro',
    user: 'user:marta',
    topic: 'topic:123',
    is: 'is:question',
    in: 'in:title',
    before: 'before:2026-01-31',
    after: 'after:2026-01-01',
    order: 'order:latest',
  }[op];
}

/** An FTS5 string: the text in double quotes, quotes inside doubled. Never FTS5 syntax. */
export const ftsString = (text: string) => `"${text.replace(/"/g, '""')}"`;

/**
 * The FTS5 MATCH expression for the query's words: every word and phrase as a quoted FTS5
 * string (a word of several tokens, like `foo-bar`, is a phrase of them), ANDed; exclusions as
 * NOT; `in:title` as a column filter.
 */
export function ftsMatch(q: Pick<SearchQuery, 'words' | 'phrases' | 'excluded' | 'filters'>) {
  const positive = [...q.words, ...q.phrases].map(ftsString).join(' AND ');
  const negative = q.excluded.map((t) => ` NOT ${ftsString(t)}`).join('');
  const expr = `(${positive})${negative}`;
  return q.filters.inTitle ? `{title} : (${expr})` : expr;
}

/**
 * The expression that ranks what `ftsMatch` found: every word of the words and phrases on its
 * own, without exclusions. bm25 counts the posts that match each part of its expression over
 * the whole index; for a phrase that means checking word positions in every post with both
 * words, for an exclusion counting posts that are not even results. The words alone rank the
 * same posts nearly the same way at a fraction of that cost.
 */
export function ftsRankMatch(q: Pick<SearchQuery, 'words' | 'phrases' | 'filters'>) {
  const words = [...q.words, ...q.phrases.flatMap((p) => p.split(' '))];
  const expr = [...new Set(words.map((w) => w.toLowerCase()))].map(ftsString).join(' AND ');
  return q.filters.inTitle ? `{title} : (${expr})` : expr;
}

/** The positive words and phrases as one line, for an exact title match and "Similar topics". */
export const positiveText = (q: Pick<SearchQuery, 'words' | 'phrases'>) =>
  [...q.words, ...q.phrases].join(' ');

/** The fields of the advanced-search form, each an operator of the query language. */
export const ADVANCED_FIELDS = ['forum', 'user', 'topic', 'is', 'in', 'before', 'after', 'order'];

/**
 * The text of a search from the box and the advanced form: the form's fields are appended as
 * the operators they stand for (an empty field adds nothing), so one parser reads both.
 */
export function queryFromForm(fields: Record<string, string | undefined>): string {
  const parts = [(fields.q ?? '').trim()];
  for (const name of ADVANCED_FIELDS) {
    const value = fields[name]?.trim();
    if (!value) continue;
    parts.push(/\s/.test(value) ? `${name}:${value.replace(/\s+/g, '')}` : `${name}:${value}`);
  }
  return parts.filter(Boolean).join(' ');
}
