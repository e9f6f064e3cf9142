/**
 * Watched words: words and phrases an administrator lists so that a post containing one is
 * blocked (refused with a message) or held for a moderator's approval. This module only finds
 * them; the posting rules decide what to do.
 *
 * Matching is on whole words and phrases, without regard to case, and the same for every way
 * of writing the same text in Unicode:
 * - text and words are NFKC-normalized (composed and decomposed accents, full-width letters and
 *   ligatures count as the plain letters), and invisible format characters (zero-width space,
 *   joiners, soft hyphen) are dropped, so that they cannot split a word;
 * - case is compared by Unicode case folding (the `iu` flags): Σ, σ and ς are one letter;
 * - a word matches only where it is not joined to a letter, mark or digit on either side
 *   ("ass" does not match "class"), except at an edge written in a script that does not put
 *   spaces between words (Chinese, Japanese, Thai...), where a word is any run of its letters;
 * - the words of a phrase match across any run of white space and line breaks;
 * - in a post, they match in the text as written and in the text as it reads once cooked, so
 *   that markup cannot split a word (`block**ed**`, `b&#108;ocked`, `block<i></i>ed`,
 *   `[block](#)ed`, `block<!-- -->ed`): see `matchPostWords`.
 */
import type { WatchedWordAction } from '../../domain/words';
import { plainText } from './plain-text';

export type WatchedWord = { word: string; action: WatchedWordAction };
export type WatchedWordMatches = { blocked: string[]; held: string[] };

/** Letters, combining marks and digits: what a word is made of. */
const WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;
/** Scripts written without spaces between words. */
const UNSPACED =
  /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}\p{Script=Tibetan}]$/u;
const FORMAT_CHARS = /\p{Cf}/gu;

/** The form in which text is compared: NFKC, without invisible format characters. */
function normalize(text: string): string {
  return text.normalize('NFKC').replace(FORMAT_CHARS, '');
}

/**
 * A watched word as stored: normalized, white space collapsed to single spaces and lower-cased,
 * so that the list's unique index keeps it unique without regard to case.
 */
export function normalizeWatchedWord(word: string): string {
  return normalize(word).replace(/\s+/gu, ' ').trim().toLowerCase();
}

const escapeRegExp = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');

type Matcher = { re: RegExp; edgeBefore: boolean; edgeAfter: boolean };

/**
 * The word as a plain search plus the word-edge checks made on each candidate. (Look-arounds
 * in the expression itself make V8 try every position of the text: 40 times slower.)
 */
function matcher(word: string): Matcher | null {
  const parts = normalizeWatchedWord(word).split(' ').filter(Boolean);
  const first = [...(parts[0] ?? '')][0];
  const last = [...(parts[parts.length - 1] ?? '')].at(-1);
  if (!first || !last) return null;
  return {
    re: new RegExp(parts.map(escapeRegExp).join('\\s+'), 'giu'),
    edgeBefore: !UNSPACED.test(first),
    edgeAfter: !UNSPACED.test(last),
  };
}

const codePointBefore = (s: string, i: number) => {
  const low = s.charCodeAt(i - 1);
  const isLowSurrogate = low >= 0xdc00 && low <= 0xdfff && i >= 2;
  return isLowSurrogate ? s.slice(i - 2, i) : s.slice(i - 1, i);
};
const codePointAt = (s: string, i: number) => String.fromCodePoint(s.codePointAt(i) ?? 0);

function occurs(m: Matcher, text: string): boolean {
  m.re.lastIndex = 0;
  for (let found = m.re.exec(text); found; found = m.re.exec(text)) {
    const start = found.index;
    const end = start + found[0].length;
    const joinedBefore = m.edgeBefore && start > 0 && WORD_CHAR.test(codePointBefore(text, start));
    const joinedAfter = m.edgeAfter && end < text.length && WORD_CHAR.test(codePointAt(text, end));
    if (!joinedBefore && !joinedAfter) return true;
    // Candidates may overlap ("aab" for "ab" after "aa"): go on from the next position.
    m.re.lastIndex = start + ((text.codePointAt(start) ?? 0) > 0xffff ? 2 : 1);
  }
  return false;
}

/**
 * The watched words that occur in `text`, by action, each once and in the order of `words`.
 * A word listed with both actions is reported under both; blocking wins where the caller decides.
 */
export function matchWatchedWords(text: string, words: WatchedWord[]): WatchedWordMatches {
  const found: WatchedWordMatches = { blocked: [], held: [] };
  const haystack = normalize(text);
  for (const w of words) {
    const m = matcher(w.word);
    if (!m || !occurs(m, haystack)) continue;
    const list = w.action === 'block' ? found.blocked : found.held;
    if (!list.includes(w.word)) list.push(w.word);
  }
  return found;
}

/**
 * The watched words in a post: its title, its markdown, and the plain text of its cooked HTML
 * (entities decoded, inline elements joined to the text around them, blocks apart).
 */
export function matchPostWords(
  post: { title?: string | undefined; body: string; bodyHtml: string },
  words: WatchedWord[],
): WatchedWordMatches {
  const cooked = plainText(post.bodyHtml, Number.POSITIVE_INFINITY);
  return matchWatchedWords(`${post.title ?? ''}\n${post.body}\n${cooked}`, words);
}
