import { describe, expect, it } from 'vitest';
import { cook } from '../../src/content/cook';
import {
  matchPostWords,
  matchWatchedWords,
  normalizeWatchedWord,
  type WatchedWord,
} from '../../src/content/watched-words';

const block = (word: string): WatchedWord => ({ word, action: 'block' });
const hold = (word: string): WatchedWord => ({ word, action: 'hold' });
const blocked = (text: string, ...words: string[]) =>
  matchWatchedWords(text, words.map(block)).blocked;

describe('matchWatchedWords', () => {
  it('finds nothing in an empty list or an empty text', () => {
    expect(matchWatchedWords('anything at all', [])).toEqual({ blocked: [], held: [] });
    expect(matchWatchedWords('', [block('spam')])).toEqual({ blocked: [], held: [] });
  });

  it('sorts what it finds by action, each word once, in the order of the list', () => {
    const words = [hold('casino'), block('viagra'), block('crypto giveaway'), hold('spam')];
    expect(
      matchWatchedWords('Cheap VIAGRA and casino chips; casino again. Viagra!', words),
    ).toEqual({ blocked: ['viagra'], held: ['casino'] });
  });

  it('matches whole words only', () => {
    expect(blocked('a classic class act', 'ass')).toEqual([]);
    expect(blocked('assistant', 'ass')).toEqual([]);
    expect(blocked('spam2024 and 2024spam', 'spam')).toEqual([]);
    expect(blocked('spam_bot', 'spam')).toEqual(['spam']);
    expect(blocked('(spam), "spam". spam!', 'spam')).toEqual(['spam']);
    expect(blocked('spam', 'spam')).toEqual(['spam']);
    expect(blocked('https://spam.example/x', 'spam')).toEqual(['spam']);
    expect(blocked('**spam**', 'spam')).toEqual(['spam']);
  });

  it('ignores case, also beyond ASCII', () => {
    expect(blocked('SPAM Spam sPaM', 'spam')).toEqual(['spam']);
    expect(blocked('Ärger im Büro', 'ärger')).toEqual(['ärger']);
    expect(blocked('ΣΟΦΟΣ', 'σοφος')).toEqual(['σοφος']);
    expect(blocked('ПРИВЕТ мир', 'привет')).toEqual(['привет']);
  });

  it('counts letters of every script as parts of a word', () => {
    // "é", "ж" and "ا" are letters: no word boundary next to them.
    expect(blocked('cafés', 'café')).toEqual([]);
    expect(blocked('spamé', 'spam')).toEqual([]);
    expect(blocked('жspam', 'spam')).toEqual([]);
    expect(blocked('كلمة spam كلمة', 'spam')).toEqual(['spam']);
    expect(blocked('كلمةspam', 'spam')).toEqual([]);
  });

  it('treats composed and decomposed accents, full-width letters and ligatures alike', () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    expect(blocked(`un ${decomposed} noir`, composed)).toEqual([composed]);
    expect(blocked(`un ${composed} noir`, decomposed)).toEqual([decomposed]);
    // A combining accent after the word makes it another word.
    expect(blocked('cafe\u0301', 'cafe')).toEqual([]);
    expect(blocked('ＦＲＥＥ ＭＯＮＥＹ', 'free money')).toEqual(['free money']);
    expect(blocked('the ﬁnest', 'finest')).toEqual(['finest']);
  });

  it('is not split by invisible characters', () => {
    expect(blocked('sp\u200bam', 'spam')).toEqual(['spam']);
    expect(blocked('sp\u00adam', 'spam')).toEqual(['spam']);
    expect(blocked('s\u2060p\u200da\u200cm', 'spam')).toEqual(['spam']);
  });

  it('matches phrases across any white space, but not across other words', () => {
    expect(blocked('get free money now', 'free money')).toEqual(['free money']);
    expect(blocked('free\n\n  money', 'free money')).toEqual(['free money']);
    expect(blocked('free\u00a0money', 'free money')).toEqual(['free money']);
    expect(blocked('free   money', 'free  money')).toEqual(['free  money']);
    expect(blocked('free real money', 'free money')).toEqual([]);
    expect(blocked('freemoney', 'free money')).toEqual([]);
    expect(blocked('carefree money', 'free money')).toEqual([]);
  });

  it('takes regular-expression characters in a word literally', () => {
    expect(blocked('I like c++ a lot', 'c++')).toEqual(['c++']);
    expect(blocked('I like c a lot', 'c++')).toEqual([]);
    expect(blocked('a.b', 'a*b')).toEqual([]);
    expect(blocked('pay $100 now', '$100')).toEqual(['$100']);
    expect(blocked('(x|y)', 'x|y')).toEqual(['x|y']);
    expect(blocked('see [link]', '[link]')).toEqual(['[link]']);
    expect(blocked('a/b', 'a/b')).toEqual(['a/b']);
    expect(blocked('back\\slash', 'back\\slash')).toEqual(['back\\slash']);
  });

  it('finds words of scripts without spaces inside a run of text', () => {
    expect(blocked('这是垃圾邮件', '垃圾')).toEqual(['垃圾']);
    expect(blocked('スパムです', 'スパム')).toEqual(['スパム']);
    expect(blocked('นี่คือสแปม', 'สแปม')).toEqual(['สแปม']);
    // Korean puts spaces between words: whole words there.
    expect(blocked('스팸메일', '스팸')).toEqual([]);
    expect(blocked('스팸 메일', '스팸')).toEqual(['스팸']);
  });

  it('steps over characters outside the Basic Multilingual Plane correctly', () => {
    // Deseret letters are letters with case, written as surrogate pairs.
    expect(blocked('x\u{10400}b and \u{10428}B', '\u{10400}b')).toEqual(['\u{10400}b']);
    expect(blocked('x\u{10400}b', '\u{10400}b')).toEqual([]);
    expect(blocked('\u{1D42C}\u{1D429}\u{1D41A}\u{1D426} here', 'spam')).toEqual(['spam']);
    expect(blocked('so 🍆🍆 much', '🍆')).toEqual(['🍆']);
  });

  it('reports a word listed with both actions under both', () => {
    expect(matchWatchedWords('spam', [block('spam'), hold('SPAM')])).toEqual({
      blocked: ['spam'],
      held: ['SPAM'],
    });
  });

  it('ignores words that are empty after normalizing', () => {
    expect(matchWatchedWords('anything', [block('   '), hold('\u200b')])).toEqual({
      blocked: [],
      held: [],
    });
  });

  it('finds a word at the end of a long post with a long list', () => {
    const text = 'lorem ipsum dolor sit amet '.repeat(2000);
    const words = Array.from({ length: 500 }, (_, i) => block(`word${i}`));
    expect(matchWatchedWords(`${text} word499`, words).blocked).toEqual(['word499']);
  });
});

describe('matchPostWords', () => {
  const opts = { origin: 'http://forum.test', houseHosts: [] };
  const inPost = (body: string, ...words: string[]) =>
    matchPostWords({ body, bodyHtml: cook(body, opts) }, words.map(block)).blocked;

  it('finds a word however markdown or HTML splits its letters', () => {
    for (const body of [
      'b&#108;ockedword',
      'b&#x6c;ockedword',
      'blocked**word**',
      'block<i></i>edword',
      'block<span>ed</span>word',
      '[block](#)edword',
      'blocked<!-- -->word',
      'block`ed`word',
      'blocked~~word~~',
    ]) {
      expect(inPost(`I say ${body} here`, 'blockedword'), body).toEqual(['blockedword']);
    }
  });

  it('does not join words that blocks, line breaks or cells keep apart', () => {
    for (const body of [
      'blocked\n\nword',
      'blocked  \nword',
      '- blocked\n- word',
      '| blocked | word |\n| - | - |',
      '> blocked\n\nword',
    ]) {
      expect(inPost(body, 'blockedword'), body).toEqual([]);
    }
  });

  it('still finds words in the title and in the text as written', () => {
    expect(
      matchPostWords({ title: 'A casino', body: 'hi', bodyHtml: '<p>hi</p>' }, [hold('casino')]),
    ).toEqual({ blocked: [], held: ['casino'] });
    // In code, the markdown is what people read.
    expect(inPost('`spam`', 'spam')).toEqual(['spam']);
  });
});

describe('normalizeWatchedWord', () => {
  it('lower-cases, normalizes and collapses white space, so that the list is unique without regard to case', () => {
    expect(normalizeWatchedWord('  Free \t MONEY ')).toBe('free money');
    expect(normalizeWatchedWord('Cafe\u0301')).toBe('caf\u00e9');
    expect(normalizeWatchedWord('ＳＰＡＭ')).toBe('spam');
    expect(normalizeWatchedWord('sp\u200bam')).toBe('spam');
  });
});
