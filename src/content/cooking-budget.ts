/**
 * The cooking budget (docs/decisions/011-cooking-budget.md). marked is synchronous, and some
 * markdown makes it far slower than its length suggests: runs of emphasis marks that never
 * close, deep nesting, HTML comments that never end. Nothing can interrupt it from outside, and
 * Workers have no threads. So cooking meters its own work as it goes, in units of about a
 * nanosecond of the reference machine, and gives up with an `UncookableMarkdown` that says what
 * to change once a post has cost what a post of its length may.
 *
 * The meter sits where marked lets code in: a block and an inline extension that see every
 * step of the lexers, a lexer that sees every text it lexes, and the tokenizers of quotes,
 * lists, tables and inline code, which read ahead further than what they return. What a step
 * reads is charged before marked reads it wherever it can be known in advance (the lines of a
 * list, what a tag may span); what can only be known afterwards (how far emphasis looked for
 * its end) is charged as soon as the step is over.
 */
import { Lexer, type MarkedExtension, type Token, Tokenizer, type TokensList } from 'marked';

/** Quotes and lists inside each other, and emphasis and links inside each other, at most. */
export const MAX_NESTING = 12;

/** What made a post too costly, so the message can say what to change. */
export type TooComplexReason = 'nesting' | 'delimiters' | 'code' | 'words' | 'html' | 'elements';

/**
 * What each kind of work costs, in units (about a nanosecond of the reference machine's time),
 * and what the author is told when the budget runs out on it.
 */
export const WORK = {
  /** a step of the block lexer: paragraph, heading, list, quote, table, code block... */
  block: { units: 7000, reason: 'elements' },
  /** a character a block step may read ahead: up to the next blank line */
  blockScan: { units: 2, reason: 'elements' },
  /** a line in that read, each tested for the start of another block */
  blockScanLine: { units: 500, reason: 'elements' },
  /** a line a list goes over before it lexes its items */
  listLine: { units: 3000, reason: 'elements' },
  /** a line a quote goes over again for each part of it that follows a lazy line */
  quoteLine: { units: 2, reason: 'elements' },
  /** a table cell, made before its text is lexed */
  cell: { units: 2500, reason: 'elements' },
  /** a step of the inline lexer: a run of text, a link, emphasis, a tag... */
  inline: { units: 3400, reason: 'elements' },
  /** a character a lexer is given (quotes, lists, emphasis and links lex theirs again) */
  read: { units: 12, reason: 'elements' },
  /** a character the autolink rule for www. and http:// reads ahead, to a space or < */
  urlScan: { units: 20, reason: 'words' },
  /** a character an inline step reads ahead in a run of email-like characters */
  run: { units: 30, reason: 'words' },
  /** a character scanned for the end of emphasis or strikethrough */
  delimiterScan: { units: 90, reason: 'delimiters' },
  /** a run of *, _ or ~ in that scan, each tried as the end */
  delimiterRun: { units: 5000, reason: 'delimiters' },
  /** a character scanned for the end of inline code */
  codeScan: { units: 20, reason: 'code' },
  /** a character a tag, comment or processing instruction in a text may span */
  tagScan: { units: 20, reason: 'html' },
  /** a character the text of a link (or what looks like one) may span */
  bracketScan: { units: 5, reason: 'elements' },
  /** an HTML tag for the sanitizer */
  tag: { units: 2800, reason: 'elements' },
  /** a link for the sanitizer, which rewrites its address */
  link: { units: 3000, reason: 'elements' },
  /** an element the HTML parser passes over in its stack of open elements */
  openElement: { units: 2, reason: 'html' },
  /** a character of HTML for the sanitizer */
  html: { units: 10, reason: 'elements' },
  /** a character reference (&amp;...) for the sanitizer, which decodes and encodes it again */
  entity: { units: 1600, reason: 'elements' },
} as const satisfies Record<string, { units: number; reason: TooComplexReason }>;

export type WorkKind = keyof typeof WORK;

/**
 * Units a post may use: `perChar` for each of its characters and `base` more, so that short
 * posts are never refused for their formatting. Realistic posts use a part of it (the
 * benchmark says how much).
 */
export const COOKING_BUDGET = { base: 3_000_000, perChar: 650 } as const;

export const cookingBudget = (length: number) =>
  COOKING_BUDGET.base + COOKING_BUDGET.perChar * length;

const CODE_BLOCK = 'put code and logs in a code block, between two lines of ```';

const REASONS: Record<TooComplexReason, string> = {
  nesting: `Quotes and lists can be nested at most ${MAX_NESTING} levels deep, and so can emphasis and links. Please remove some of the outer quote marks (>), list levels or emphasis marks (*, _, ~).`,
  delimiters: `This post has too many *, _ or ~ that do not close, for its length. Please remove the ones that are not meant as emphasis (or put a \\ before them), or ${CODE_BLOCK}.`,
  code: `This post has too many \` marks that do not close, for its length. Please remove the ones that are not meant as code, or ${CODE_BLOCK}.`,
  words: `This post has very long words full of formatting marks (*, _, ~, \` or !). Please add spaces, or ${CODE_BLOCK}.`,
  html: `This post has too much HTML that does not close (tags, comments <!-- -->), for its length. Please close or remove it, or ${CODE_BLOCK}.`,
  elements: `This post has too much formatting for its length (list items, table cells, quotes, links, emphasis or HTML tags). Please split it into several posts, or ${CODE_BLOCK}.`,
};

/** Markdown the forum does not cook: it would cost far more than a post of its length. */
export class UncookableMarkdown extends Error {
  override name = 'UncookableMarkdown';
  /** what to tell the author (marked adds a line of its own to `message` on the way out) */
  readonly explanation: string;
  constructor(
    readonly reason: TooComplexReason,
    /** the work spent before giving up */
    readonly units = 0,
  ) {
    super(REASONS[reason]);
    this.explanation = REASONS[reason];
  }
}

export type Work = { units: number; byKind: Record<WorkKind, number> };

const UNTOUCHED = -1;
const { inline: inlineRules } = Lexer.rules;
/**
 * The global regexes marked scans with for the end of emphasis and strikethrough. It sets
 * lastIndex to 0 before a scan, and exec() sets it to 0 again when the scan reads to the end;
 * otherwise it is where the scan stopped.
 */
const CLOSERS = [
  inlineRules.gfm.emStrongRDelimAst,
  inlineRules.gfm.emStrongRDelimUnd,
  inlineRules.gfm.delRDelim,
];

class Meter {
  readonly work: Work = {
    units: 0,
    byKind: Object.fromEntries(Object.keys(WORK).map((k) => [k, 0])) as Record<WorkKind, number>,
  };
  private readonly byReason = Object.fromEntries(Object.keys(REASONS).map((r) => [r, 0])) as Record<
    TooComplexReason,
    number
  >;
  /** nested block lexing (quotes and lists) */
  blockDepth = 0;
  /** for each nested inline lexing, its text and how much of it its current step had left */
  readonly inlineLevels: { src: string; left: number }[] = [];

  constructor(private readonly budget: number) {
    for (const closer of CLOSERS) closer.lastIndex = UNTOUCHED;
  }

  add(kind: WorkKind, count: number) {
    const { units, reason } = WORK[kind];
    this.work.byKind[kind] += count;
    this.work.units += units * count;
    this.byReason[reason] += units * count;
    if (this.work.units > this.budget) throw new UncookableMarkdown(this.mostUsed());
  }

  /** Charges the scans for a closer that the step just over made. */
  settle() {
    const level = this.inlineLevels.at(-1);
    if (!level) return;
    for (const closer of CLOSERS) {
      const at = closer.lastIndex;
      if (at === UNTOUCHED) continue;
      closer.lastIndex = UNTOUCHED;
      const start = level.src.length - level.left;
      const scanned = at === 0 ? level.left : at;
      this.add('delimiterScan', scanned);
      this.add('delimiterRun', delimiterRuns(level.src, start, start + scanned));
    }
  }

  private mostUsed(): TooComplexReason {
    let most: TooComplexReason = 'elements';
    for (const r of Object.keys(this.byReason) as TooComplexReason[])
      if (this.byReason[r] > this.byReason[most]) most = r;
    return most;
  }
}

/** Runs of *, _ or ~ in src[from, to). */
function delimiterRuns(src: string, from: number, to: number): number {
  let runs = 0;
  let inRun = false;
  for (let i = from; i < to && i < src.length; i++) {
    const c = src.charCodeAt(i);
    const delimiter = c === 42 || c === 95 || c === 126;
    if (delimiter && !inRun) runs++;
    inRun = delimiter;
  }
  return runs;
}

/** The meter of the cooking in progress: cooking is synchronous, so there is one at most. */
let meter: Meter | undefined;

const add = (kind: WorkKind, count: number) => meter?.add(kind, count);

/**
 * Runs `work` with a meter of `budget` units.
 * @throws UncookableMarkdown when the work needs more, or nests too deeply
 */
export function metered<T>(budget: number, work: () => T): { result: T; work: Work } {
  const outer = meter;
  const m = new Meter(budget);
  meter = m;
  try {
    return { result: work(), work: m.work };
  } catch (err) {
    // marked adds a line to the message of what it rethrows: throw a clean one. A stack that
    // overflows all the same is input nested too deeply.
    if (err instanceof UncookableMarkdown) throw new UncookableMarkdown(err.reason, m.work.units);
    if (err instanceof RangeError && /call stack/i.test(err.message))
      throw new UncookableMarkdown('nesting', m.work.units);
    throw err;
  } finally {
    meter = outer;
  }
}

// --- what marked's steps read ------------------------------------------------------------------

/**
 * Characters marked's text and autolink rules read ahead as one possible email address: a step
 * of the inline lexer can read the whole run of them that starts where it is.
 */
const EMAIL_LIKE = new Uint8Array(128);
for (const ch of "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
  EMAIL_LIKE[ch.charCodeAt(0)] = 1;

/** Where marked's autolinks without <> start: it reads each of them to a space or a <. */
const URL_START = /^(?:www\.|(?:https?|ftp):\/\/)/i;
const SPACE_OR_TAG = /[\s<]/;

function untilSpace(src: string): number {
  const end = src.search(SPACE_OR_TAG);
  return end < 0 ? src.length : end;
}

function leadingRun(src: string): number {
  let i = 0;
  while (i < src.length) {
    const c = src.charCodeAt(i);
    if (c >= 128 || !EMAIL_LIKE[c]) break;
    i++;
  }
  return i;
}

/**
 * How far marked may read for the tags in a text: at each <, its tag rule (and the masking of
 * emphasis, when the text has *, _ or ~) reads up to the end of a comment, processing
 * instruction or CDATA section, up to the next > otherwise, or to the end of the text when a
 * quoted attribute value may run past that >. One pass: every end marker is found once.
 */
function tagReach(src: string): number {
  let reach = 0;
  const next = { '>': -1, '-->': -1, '?>': -1, ']]>': -1, '"': -1, "'": -1 };
  type Marker = keyof typeof next;
  const find = (marker: Marker, from: number) => {
    if (next[marker] !== Number.POSITIVE_INFINITY && next[marker] < from) {
      const at = src.indexOf(marker, from);
      next[marker] = at < 0 ? Number.POSITIVE_INFINITY : at;
    }
    return next[marker];
  };
  for (let at = src.indexOf('<'); at >= 0; at = src.indexOf('<', at + 1)) {
    const end = src.startsWith('<!--', at)
      ? find('-->', at + 4)
      : src.startsWith('<?', at)
        ? find('?>', at + 2)
        : src.startsWith('<![CDATA[', at)
          ? find(']]>', at + 9)
          : Math.min(find('"', at), find("'", at)) < find('>', at)
            ? Number.POSITIVE_INFINITY
            : find('>', at);
    reach += Math.min(end, src.length) - at;
  }
  return reach;
}

/**
 * How far marked may read for the [ in a text: its link rules and the masking of reference
 * links read a link's text up to the ] that closes it, skipping escaped brackets and brackets
 * nested inside; inline code in a link's text may hide that ], so a [ with ` after it may read
 * to the end. One pass, with a stack of the [ still open.
 */
function bracketReach(src: string): number {
  if (!src.includes('[')) return 0;
  let reach = 0;
  let backtick = -1;
  const open: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src.charCodeAt(i);
    // An escaped [ still starts a search for a reference link (escapes are masked after
    // reference links); an escaped ] closes nothing.
    if (c === 92 /* \ */) {
      if (src.charCodeAt(i + 1) === 91) open.push(i + 1);
      i++;
    } else if (c === 91 /* [ */) open.push(i);
    else if (c === 96 /* ` */) backtick = i;
    else if (c === 93 /* ] */) {
      const at = open.pop();
      if (at !== undefined) reach += (backtick > at ? src.length : i) - at;
    }
  }
  for (const at of open) reach += src.length - at;
  return reach;
}

/**
 * How far the masking for emphasis reads for the runs of ` in a text: from each run, up to the
 * next run of the same length (the end of that inline code), or to the end of the text. A run
 * after a \ loses its first ` to the escape and looks for another length: to the end, then.
 */
function backtickReach(src: string): number {
  const runs: [at: number, length: number][] = [];
  for (let at = src.indexOf('`'); at >= 0; ) {
    let end = at + 1;
    while (src.charCodeAt(end) === 96) end++;
    runs.push([at, end - at]);
    at = src.indexOf('`', end);
  }
  let reach = 0;
  const next = new Map<number, number>();
  for (let i = runs.length - 1; i >= 0; i--) {
    const [at, length] = runs[i] as [number, number];
    const escaped = src.charCodeAt(at - 1) === 92;
    reach += (escaped ? src.length : (next.get(length) ?? src.length)) - at;
    next.set(length, at);
  }
  return reach;
}

const QUOTE_START = /^ {0,3}>/;
const LIST_START = /^ {0,3}(?:[*+-]|\d{1,9}[.)])(?:[ \t]|\n|$)/;
const BLANK = /^[ \t]*$/;

/** The characters and lines of `src` before its first blank line. */
function untilBlankLine(src: string): { chars: number; lines: number } {
  let lines = 0;
  for (let at = src.indexOf('\n'); at >= 0; ) {
    lines++;
    let next = at + 1;
    while (src.charCodeAt(next) === 32 || src.charCodeAt(next) === 9) next++;
    if (next >= src.length || src.charCodeAt(next) === 10) return { chars: at, lines };
    at = src.indexOf('\n', next);
  }
  return { chars: src.length, lines };
}

/** The lines of `src`, one after another, until `each` says stop. */
function eachLine(src: string, each: (line: string) => boolean) {
  for (let at = 0; at < src.length; ) {
    const end = src.indexOf('\n', at);
    if (!each(src.slice(at, end < 0 ? src.length : end)) || end < 0) return;
    at = end + 1;
  }
}

/**
 * How many lines marked's quote tokenizer goes over for a quote starting here: it takes the
 * quote part by part (a part ends where a lazy line, one without >, is followed by a line with
 * >) and goes over every line left for each part. A quote ends at a blank line at the latest.
 */
function quoteRereads(src: string): number {
  let lines = 0;
  let parts = 1;
  let lazy = false;
  eachLine(src, (line) => {
    if (BLANK.test(line)) return false;
    lines++;
    const quoted = QUOTE_START.test(line);
    if (quoted && lazy) parts++;
    lazy = !quoted;
    return true;
  });
  return parts * lines;
}

/**
 * The lines marked's list tokenizer may go over for a list starting here, at most, before it
 * lexes any item: up to a line that ends every list item (a heading, quote, fence, HTML block
 * or rule at the margin, as marked tests them), or a line at the margin after a blank line
 * that is not a bullet.
 */
function listLines(tokenizer: Tokenizer, src: string): number {
  const { other } = tokenizer.rules;
  // The shallowest list item's content is indented by at least 2.
  const ends = [
    other.headingBeginRegex(2),
    other.blockquoteBeginRegex(2),
    other.fencesBeginRegex(2),
    other.htmlBeginRegex(2),
    other.hrRegex(2),
  ];
  let lines = 0;
  let afterBlank = false;
  eachLine(src, (line) => {
    const blank = BLANK.test(line);
    if (lines > 0 && !blank) {
      if (ends.some((re) => re.test(line))) return false;
      const margin = line[0] !== ' ' && line[0] !== '\t';
      if (afterBlank && margin && !LIST_START.test(line)) return false;
    }
    // marked looks past the markers of lists and quotes that open on one line, each time
    // testing the rest of the line for a rule: that many markers nest too deep anyway.
    if (!blank && !other.hrRegex(2).test(line) && leadingMarkers(other, line) > MAX_NESTING)
      throw new UncookableMarkdown('nesting');
    lines++;
    afterBlank = blank;
    return true;
  });
  return lines;
}

/** List and quote markers at the start of a line, counted up to one more than allowed. */
function leadingMarkers(other: Tokenizer['rules']['other'], line: string): number {
  let n = 0;
  let rest = line;
  for (let m = other.nestedBlockMarker.exec(rest); m && n <= MAX_NESTING; ) {
    n++;
    rest = rest.slice(m[0].length);
    m = m[0].length > 0 ? other.nestedBlockMarker.exec(rest) : null;
  }
  return n;
}

// --- where the meter sits in marked --------------------------------------------------------------

const base = Tokenizer.prototype;

/**
 * The tokenizers that read ahead more than they return. (Only these: marked takes faster paths
 * when its paragraph, emphasis and strikethrough tokenizers are its own.)
 */
const tokenizer: MarkedExtension['tokenizer'] = {
  blockquote(src) {
    if (QUOTE_START.test(src)) add('quoteLine', quoteRereads(src));
    return base.blockquote.call(this, src);
  },
  list(src) {
    if (LIST_START.test(src)) add('listLine', listLines(this, src));
    return base.list.call(this, src);
  },
  table(src) {
    const table = base.table.call(this, src);
    if (table) add('cell', table.header.length * (1 + table.rows.length));
    return table;
  },
  codespan(src) {
    const code = base.codespan.call(this, src);
    // An opening run of ` with no closing run to match has read the rest of the text.
    if (src.charCodeAt(0) === 96) add('codeScan', code ? code.raw.length : src.length);
    return code;
  },
};

/** Marked options that meter every step; lex with `MeteredLexer` so that the rest is too. */
export const meteredSteps: MarkedExtension = {
  tokenizer,
  extensions: [
    {
      name: 'meter-block',
      level: 'block',
      tokenizer(src, tokens) {
        add('block', 1);
        // Rules such as the setext heading's read up to a blank line before they fail; in a
        // list item, where text is taken line by line, they do so at every line.
        const { chars, lines } = untilBlankLine(src);
        add('blockScan', chars);
        add('blockScanLine', lines);
        // A step may add its text to the paragraph or text before it, which marked reads
        // whole again to do so (a list item of many lines costs the square of their number).
        const last = tokens.at(-1);
        if (last?.type === 'paragraph' || last?.type === 'text') add('read', last.raw.length);
        return undefined;
      },
    },
    {
      name: 'meter-inline',
      level: 'inline',
      tokenizer(src) {
        const m = meter;
        if (!m) return undefined;
        m.settle();
        const level = m.inlineLevels.at(-1);
        if (level) level.left = src.length;
        m.add('inline', 1);
        const run = leadingRun(src);
        if (run > 1) m.add('run', run);
        if (URL_START.test(src)) m.add('urlScan', untilSpace(src));
        return undefined;
      },
    },
  ],
};

/** marked's lexer, with every text it lexes (and how deep) charged to the meter. */
export class MeteredLexer extends Lexer {
  override blockTokens(src: string, tokens?: Token[], lastParagraphClipped?: boolean): Token[];
  override blockTokens(
    src: string,
    tokens?: TokensList,
    lastParagraphClipped?: boolean,
  ): TokensList;
  override blockTokens(src: string, tokens: Token[] = [], lastParagraphClipped = false) {
    const m = meter;
    if (!m) return super.blockTokens(src, tokens, lastParagraphClipped);
    if (++m.blockDepth > MAX_NESTING + 1) throw new UncookableMarkdown('nesting');
    try {
      m.add('read', src.length);
      return super.blockTokens(src, tokens, lastParagraphClipped);
    } finally {
      m.blockDepth--;
    }
  }

  override inlineTokens(src: string, tokens: Token[] = []): Token[] {
    const m = meter;
    if (!m) return super.inlineTokens(src, tokens);
    // Emphasis, strikethrough and links lex their text before their step is over.
    m.settle();
    if (m.inlineLevels.length > MAX_NESTING) throw new UncookableMarkdown('nesting');
    // Masking for emphasis reads the text again, tags included, when it has a mark to mask for.
    const masked = /[*_~]/.test(src);
    m.add('read', src.length * (masked ? 2 : 1));
    m.add('tagScan', tagReach(src) * (masked ? 2 : 1));
    if (masked) m.add('codeScan', backtickReach(src));
    m.add('bracketScan', bracketReach(src) * (masked ? 3 : 2));
    m.inlineLevels.push({ src, left: src.length });
    try {
      return super.inlineTokens(src, tokens);
    } finally {
      m.settle();
      m.inlineLevels.pop();
    }
  }
}

const occurrences = (s: string, ch: string) => {
  let n = 0;
  for (let i = s.indexOf(ch); i >= 0; i = s.indexOf(ch, i + 1)) n++;
  return n;
};

/** Charges what lexing `markdown` costs besides its steps: every character reference it decodes. */
export function chargeLexing(markdown: string) {
  add('entity', occurrences(markdown, '&'));
}

// --- the sanitizer -------------------------------------------------------------------------------

const LINK_TAG = /<a\s/gi;

const VOID_ELEMENTS = new Set(
  'area base br col embed hr img input keygen link meta param source track wbr'.split(' '),
);

/**
 * Charges what sanitizing `html` will cost: every tag and character reference, every character,
 * and the list of open elements the HTML parser keeps, which it searches at every closing tag
 * and grows at the front at every opening one (followed here tag by tag, as it would).
 */
export function chargeSanitizing(html: string) {
  add('tag', occurrences(html, '<'));
  add('link', html.match(LINK_TAG)?.length ?? 0);
  add('entity', occurrences(html, '&'));
  add('html', html.length);
  const open: string[] = [];
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/g;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    const name = (m[2] as string).toLowerCase();
    if (VOID_ELEMENTS.has(name)) continue;
    add('openElement', open.length);
    if (!m[1]) {
      open.push(name);
      continue;
    }
    const at = open.lastIndexOf(name);
    if (at >= 0) open.length = at;
  }
}
