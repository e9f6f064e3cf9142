/**
 * `npm run seed:large -- --posts N [--seed S] [--check]`: fills the database at DATABASE_URL
 * (default file:data/forum.db) with N posts in N/20 topics by N/10 new people, spread over the
 * forums, for load tests and for looking at a forum that has some history.
 *
 * The rows are what the services would have written, only faster: bulk multi-row INSERTs in
 * large transactions, ids computed from the current maximum ids. Every post is word-level prose
 * drawn from a Zipf-like vocabulary (scripts/seed-text.ts), so that term frequencies in the
 * search index look like a real forum's; some posts end with one of a few hundred markdown
 * bodies (code, lists, quotes, links) cooked once through the real `cook()`. body_html is what
 * cook(body_markdown) gives (--check cooks a sample) and cook_version is COOK_VERSION. Post ids
 * follow creation time across the whole forum, as they would in a forum that grew one post at a
 * time, so the posts of a topic are scattered over the table the way real ones are. Every post
 * also goes into the search index (posts_fts) with the plain text of its HTML, as
 * createTopic/createReply do.
 *
 * `--check` runs consistency queries afterwards (counters, pointers, numbering, cooked HTML).
 * `seedLarge()` and `checkConsistency()` are exported for the benchmark (test/bench/run.ts).
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, createClient, type InValue, type Transaction } from '@libsql/client';
import { createDb } from '../db/client';
import { openLibsql } from '../db/open';
import { seedDemo } from '../dev/demo';
import { COOK_VERSION, type CookOptions, cook } from '../src/content/cook';
import { slugify } from '../src/content/slug';
import { makeDeps } from '../src/context';
import { type Config, ConfigError, loadConfig } from '../src/env';
import { indexedText, indexedTitle } from '../src/services/search-index';
import { argValue, parseCount } from './args';
import { Progress } from './progress';
import { makeVocabulary, prose, type Vocabulary } from './seed-text';

export type SeedLargeOptions = {
  /** libSQL URL of the database (file:, libsql:// or https://) */
  url: string;
  authToken?: string | undefined;
  /** how many posts to add; topics = posts/20, people = posts/10 */
  posts: number;
  /** configuration for the demo content and the cooking options; from `url` when absent */
  config?: Config;
  /** seed of the random generator: the same seed on the same database gives the same rows */
  seed?: number;
  /** the newest post's time (ms); the history spans four years before it */
  now?: number;
  /** summary lines (default: stderr) */
  log?: (line: string) => void;
  /** the updating progress line on stderr (default: on) */
  progress?: boolean;
};

export type SeedLargeResult = {
  posts: number;
  topics: number;
  users: number;
  /** the seeded topics' ids are firstTopicId..lastTopicId */
  firstTopicId: number;
  lastTopicId: number;
  /** the topic with about posts/500 posts (at least 60) */
  longTopicId: number;
  longTopicPosts: number;
  /** distinct markdown bodies cooked */
  bodies: number;
  elapsedMs: number;
};

const YEAR = 365 * 24 * 3600_000;
const HISTORY = 4 * YEAR;
const POSTS_PER_TOPIC = 20;
const POSTS_PER_USER = 10;
const LONG_TOPIC_SHARE = 500;
const LONG_TOPIC_MIN = 60;
/** posts per transaction; commits keep the journal small */
const POSTS_PER_TX = 100_000;
/** rows per INSERT statement (each well under SQLite's 32766 bound parameters) */
const POST_ROWS_PER_STMT = 2000;
const USER_ROWS_PER_STMT = 1000;
const TOPIC_ROWS_PER_STMT = 1000;

// --- random ------------------------------------------------------------------------------------

type Rng = {
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  expo(mean: number): number;
};

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
function makeRng(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T,
    chance: (p) => next() < p,
    expo: (mean) => -mean * Math.log(1 - next()),
  };
}

// --- text ----------------------------------------------------------------------------------------

const PRODUCTS = [
  'Acme Backup Pro',
  'Northwind Invoice',
  'Pixelsmith Studio',
  'the desktop app',
  'the mobile app',
  'the command-line tool',
  'the licence manager',
  'the sync service',
] as const;

const FEATURES = [
  'the nightly backup job',
  'the CSV export',
  'the restore wizard',
  'batch export',
  'the plug-in API',
  'dark mode',
  'the invoice templates',
  'two-factor sign-in',
  'the auto-updater',
  'the proxy settings',
  'the colour profiles',
  'offline mode',
  'the search index',
  'scheduled reports',
  'the REST API',
  'the installer',
] as const;

const PROBLEMS = [
  'fails with a timeout',
  'stopped working after the last update',
  'is much slower than it used to be',
  'crashes on files larger than 2 GB',
  'ignores the proxy settings',
  'shows the wrong dates',
  'keeps asking for the licence key',
  'loses its settings after a restart',
  'hangs at 99 %',
  'uses a lot of memory',
  'skips files that are open in another program',
  'exports garbled characters',
  'does not start on a fresh install',
  'reports an error about missing permissions',
] as const;

const TASKS = [
  'move my licence to a new computer',
  'restore a single folder',
  'export invoices with a semicolon separator',
  'run the backup from a script',
  'change the default colour profile',
  'add a custom field to the template',
  'sync two machines',
  'keep the logs for longer than a month',
  'disable the automatic update check',
  'install it without admin rights',
  'import data from the old version',
  'schedule a job every 15 minutes',
  'translate the invoice into German',
  'write a plug-in that adds a menu entry',
] as const;

const VERSIONS = ['7.2', '7.3.1', '8.0', '8.0.2', '2.4', '2.5 beta', '11.1', '3.0'] as const;
const SYSTEMS = ['Windows 11', 'Windows 10', 'macOS 14', 'macOS 15', 'Ubuntu 24.04', 'Debian 12'];

const OPENERS = [
  'Thanks, that fixed it.',
  'Same here.',
  'I can confirm this.',
  'Good question.',
  'That worked for me, thank you!',
  'Any news on this?',
  'Bumping this because I have the same problem.',
  'Interesting, I never noticed that.',
  'Not sure this is the same issue, but it looks close.',
  'Great write-up.',
] as const;

const SENTENCES = [
  () => `I am running ${pickP(PRODUCTS)} ${pickP(VERSIONS)} on ${pickP(SYSTEMS)}.`,
  () => `Since yesterday ${pickP(FEATURES)} ${pickP(PROBLEMS)}.`,
  () => `Has anyone found a way to ${pickP(TASKS)}?`,
  () => `I tried reinstalling ${pickP(PRODUCTS)}, but ${pickP(FEATURES)} still ${pickP(PROBLEMS)}.`,
  () => `The documentation says you can ${pickP(TASKS)}, but I cannot find the option.`,
  () => `For what it is worth, ${pickP(FEATURES)} works fine for me on ${pickP(SYSTEMS)}.`,
  () => `After updating to ${pickP(VERSIONS)} I had to ${pickP(TASKS)} again.`,
  () => `Support told me that ${pickP(FEATURES)} is being reworked for the next release.`,
  () => `It would be great if ${pickP(FEATURES)} could remember the last folder I used.`,
  () => `My workaround is to ${pickP(TASKS)} first and then restart ${pickP(PRODUCTS)}.`,
  () => `Check the log file first; it usually says why ${pickP(FEATURES)} ${pickP(PROBLEMS)}.`,
  () => `We use ${pickP(PRODUCTS)} in a team of ${rngP.int(3, 40)} people and have not seen this.`,
  () => `The problem only shows up when ${pickP(FEATURES)} runs at the same time as the backup.`,
  () => `I waited ${rngP.int(2, 48)} hours and the issue went away by itself, which is worrying.`,
  () => `Turning off the antivirus for a moment made ${pickP(FEATURES)} work again.`,
  () => `Does anyone know whether ${pickP(VERSIONS)} changed how ${pickP(FEATURES)} behaves?`,
  () => `I would rather not ${pickP(TASKS)} by hand every week.`,
  () => `In my experience the default settings are fine for most people.`,
  () => `Please remove licence keys and order numbers before you paste a log here.`,
  () => `Clearing the cache folder and signing in again solved it on my machine.`,
] as const;

const LINKS = [
  ['the MDN page on the Fetch API', 'https://developer.mozilla.org/en-US/docs/Web/API/Fetch_API'],
  [
    'the Microsoft documentation on shadow copies',
    'https://learn.microsoft.com/en-us/windows-server/storage/file-server/volume-shadow-copy-service',
  ],
  ['this answer on Stack Overflow', 'https://stackoverflow.com/questions/1234567/how-to-fix-it'],
  ['the Wikipedia article on sRGB', 'https://en.wikipedia.org/wiki/SRGB'],
  ['the issue on GitHub', 'https://github.com/example/plugin-kit/issues/42'],
  ['the release notes', 'https://www.plimus.com/releases/latest'],
  ['the privacy notice', '/privacy'],
  ['RFC 4180 on CSV files', 'https://www.rfc-editor.org/rfc/rfc4180'],
  ['the rsync manual', 'https://download.samba.org/pub/rsync/rsync.1'],
] as const;

const CODE = [
  ['sh', 'acme-backup run --job "Nightly" --verbose\nacme-backup log --last 50 | grep WARN'],
  [
    '',
    '[02:00:13] WARN  skipped C:\\Projects\\ledger.xlsx (file in use)\n[02:00:41] INFO  job "Nightly" finished: 12,408 files, 2 skipped',
  ],
  [
    'js',
    "export default {\n  name: 'resize',\n  run(image, { width = 2048 } = {}) {\n    return image.resize({ longEdge: width });\n  },\n};",
  ],
  ['json', '{\n  "separator": ";",\n  "decimalMark": ",",\n  "encoding": "utf-8"\n}'],
  [
    'powershell',
    'Get-Service -Name "AcmeBackup*" | Restart-Service\nGet-EventLog -LogName Application -Newest 20',
  ],
  [
    'python',
    'import csv\n\nwith open("invoices.csv", newline="") as f:\n    for row in csv.reader(f, delimiter=";"):\n        print(row[0], row[3])',
  ],
  ['sql', 'SELECT customer, SUM(total)\nFROM invoices\nWHERE paid_at IS NULL\nGROUP BY customer;'],
  ['ini', '[sync]\ninterval = 15m\nproxy = http://proxy.local:3128\nretries = 5'],
] as const;

const STEPS = [
  'Open *Settings → Advanced*.',
  'Tick **Use Volume Shadow Copy**.',
  'Restart the service.',
  'Run the job once by hand and check the log.',
  'Sign out and sign in again.',
  'Delete the `cache` folder in your profile.',
  'Choose *Restore to another location*.',
  'Pick the date in the calendar on the left.',
  'Export the template with *File → Export template*.',
  'Set the separator to `;` under *Regional settings*.',
] as const;

// The sentence generators read these two module variables; `makeBodyPool` sets them.
let rngP: Rng = makeRng(1);
const pickP = <T>(items: readonly T[]): T => rngP.pick(items);

function sentence(): string {
  return pickP(SENTENCES)();
}

function paragraph(min: number, max: number): string {
  const n = rngP.int(min, max);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    let s = sentence();
    if (rngP.chance(0.15)) s = s.replace(/(\S+ \S+)\.$/, '*$1*.');
    if (rngP.chance(0.1)) s = s.replace(/^(\S+ \S+)/, '**$1**');
    parts.push(s);
  }
  return parts.join(' ');
}

function linkParagraph(): string {
  const [label, href] = pickP(LINKS);
  if (rngP.chance(0.25) && href.startsWith('https://')) {
    return `${sentence()} More here: ${href}`;
  }
  return `${sentence()} See [${label}](${href}) for the details.`;
}

function codeBlock(): string {
  const [lang, code] = pickP(CODE);
  return `\`\`\`${lang}\n${code}\n\`\`\``;
}

function list(): string {
  const ordered = rngP.chance(0.5);
  const n = rngP.int(2, 5);
  const items: string[] = [];
  for (let i = 0; i < n; i++) {
    const text = rngP.chance(0.6) ? pickP(STEPS) : sentence();
    items.push(ordered ? `${i + 1}. ${text}` : `- ${text}`);
  }
  return items.join('\n');
}

function quote(): string {
  return `> ${sentence()}${rngP.chance(0.3) ? `\n> ${sentence()}` : ''}`;
}

function table(): string {
  const rows = rngP.int(2, 4);
  const lines = ['| Setting | Before | After |', '| --- | --- | --- |'];
  for (let i = 0; i < rows; i++) {
    lines.push(`| ${pickP(FEATURES)} | ${pickP(VERSIONS)} | ${pickP(VERSIONS)} |`);
  }
  return lines.join('\n');
}

function shortBody(): string {
  const r = rngP.next();
  if (r < 0.35) return `${pickP(OPENERS)} ${sentence()}`;
  if (r < 0.55) return pickP(OPENERS);
  if (r < 0.7) return `${quote()}\n\n${sentence()}`;
  if (r < 0.8) return `${sentence()} \`${pickP(VERSIONS)}\` here.`;
  return paragraph(1, 2);
}

function mediumBody(): string {
  const blocks = [paragraph(2, 4)];
  if (rngP.chance(0.3)) blocks.unshift(quote());
  if (rngP.chance(0.35)) blocks.push(list());
  if (rngP.chance(0.35)) blocks.push(linkParagraph());
  blocks.push(paragraph(1, 3));
  return blocks.join('\n\n');
}

function longBody(): string {
  const blocks = [paragraph(2, 5)];
  const extras = [codeBlock, list, linkParagraph, quote, table, () => paragraph(2, 5)];
  const n = rngP.int(3, 6);
  for (let i = 0; i < n; i++) {
    if (rngP.chance(0.15)) blocks.push(`## ${pickP(['Steps', 'What I tried', 'Log', 'Update'])}`);
    blocks.push(pickP(extras)());
  }
  if (rngP.chance(0.2))
    blocks.push(`![screenshot](https://i.imgur.example/${rngP.int(1e5, 1e6)}.png)`);
  blocks.push(paragraph(1, 3));
  return blocks.join('\n\n');
}

/**
 * About `length` characters of realistic markdown: long bodies, one after another, cut at
 * `length`. The cooking benchmark compares the worst inputs it knows with this.
 */
export function realisticMarkdown(length: number, seed = 1): string {
  rngP = makeRng(seed);
  const parts: string[] = [];
  for (let size = 0; size < length; size += (parts.at(-1)?.length ?? 0) + 2) parts.push(longBody());
  return parts.join('\n\n').slice(0, length);
}

type BodyPool = {
  markdown: string[];
  html: string[];
  /** indexes of short, medium and long bodies */
  short: number[];
  medium: number[];
  long: number[];
};

/** A few hundred distinct markdown bodies, each cooked once. */
function makeBodyPool(rng: Rng, cookOptions: CookOptions): BodyPool {
  rngP = rng;
  const pool: BodyPool = { markdown: [], html: [], short: [], medium: [], long: [] };
  const seen = new Set<string>();
  const add = (kind: 'short' | 'medium' | 'long', make: () => string, count: number) => {
    for (let made = 0, tries = 0; made < count && tries < count * 50; tries++) {
      const md = make();
      if (seen.has(md)) continue;
      seen.add(md);
      pool[kind].push(pool.markdown.length);
      pool.markdown.push(md);
      pool.html.push(cook(md, cookOptions));
      made++;
    }
  };
  add('short', shortBody, 160);
  add('medium', mediumBody, 160);
  add('long', longBody, 100);
  return pool;
}

/** A title of a few words of prose, as people type them. */
function proseTitle(v: Vocabulary, rng: Rng): string {
  const words = prose(v, rng, rng.int(4, 9)).text.replace(/[.?]$/, '').replace(/,/g, '');
  return words.length >= 5 ? words.slice(0, 150) : `${words} again`;
}

const TITLES = [
  () => `${cap(pickP(FEATURES))} ${pickP(PROBLEMS)}`,
  () => `How do I ${pickP(TASKS)}?`,
  () => `Is there a way to ${pickP(TASKS)}?`,
  () => `${cap(pickP(FEATURES))} ${pickP(PROBLEMS)} after updating to ${pickP(VERSIONS)}`,
  () => `Feature request: better ${pickP(FEATURES).replace(/^the /, '')}`,
  () => `Tips to ${pickP(TASKS)}`,
  () => `${pickP(PRODUCTS).replace(/^the /, 'The ')} ${pickP(VERSIONS)} on ${pickP(SYSTEMS)}`,
  () => `Question about ${pickP(FEATURES)} in ${pickP(VERSIONS)}`,
] as const;

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

// biome-ignore format: a word list
const FIRST_NAMES = [
  'anna', 'ben', 'carla', 'dmitri', 'elif', 'farid', 'greta', 'hiro', 'ines', 'jonas', 'kemal',
  'lena', 'mateo', 'nadia', 'oscar', 'paula', 'quentin', 'rosa', 'sven', 'tara', 'umar', 'vera',
  'wei', 'ximena', 'yusuf', 'zoe', 'amir', 'bea', 'chen', 'dara', 'emil', 'fatima',
] as const;
// biome-ignore format: a word list
const LAST_NAMES = [
  'novak', 'silva', 'meyer', 'okafor', 'tanaka', 'kowalski', 'rossi', 'haddad', 'berg', 'costa',
  'dubois', 'fischer', 'garcia', 'ivanova', 'jensen', 'kim', 'larsen', 'moreau', 'nguyen', 'ortiz',
] as const;
// biome-ignore format: a word list
const WORDS = [
  'pixel', 'backup', 'ledger', 'shell', 'tape', 'byte', 'orbit', 'delta', 'maple', 'cobalt',
  'quartz', 'river', 'falcon', 'ember', 'nimbus', 'atlas', 'lumen', 'vector', 'cipher', 'harbor',
] as const;
const BIOS = [
  'Sysadmin for a small office.',
  'Freelance photographer.',
  'Bookkeeper by day, tinkerer by night.',
  'I write software and buy too much of it.',
  'IT for a family business.',
  'Retired engineer, still curious.',
] as const;

// --- the plan ----------------------------------------------------------------------------------

type ForumRow = {
  id: number;
  topicCount: number;
  postCount: number;
  lastPostAt: number | null;
};

type Plan = {
  topicCount: number;
  userCount: number;
  postCount: number;
  /** per topic (in id order): size, offset of its first post slot, forum index */
  topicSize: Int32Array;
  topicOffset: Int32Array;
  topicForum: Int32Array;
  longTopic: number;
  /** per post slot (slots are laid out topic by topic, in post-number order) */
  slotTopic: Int32Array;
  slotTime: Float64Array;
  slotUser: Int32Array;
  /** a body of the pool appended to the post's prose, or -1 */
  slotBody: Int16Array;
  /** words of word-level prose the post starts with */
  slotWords: Uint16Array;
  /** slots in creation-time order: post id = base + rank + 1 */
  order: Uint32Array;
  rankOfSlot: Uint32Array;
  /** per user index: rank in creation order, post count, times */
  userRank: Int32Array;
  userOrder: Int32Array;
  userCreated: Float64Array;
  userPosts: Int32Array;
  userFirstPost: Float64Array;
  userLastPost: Float64Array;
};

/** Sizes of the topics other than the long one: most short, some long, summing to `total`. */
function topicSizes(rng: Rng, count: number, total: number): Int32Array {
  // share of topics, fewest and most posts; the mean is close to 20 so the nudging below is small
  const buckets = [
    [0.45, 1, 6],
    [0.3, 7, 18],
    [0.17, 21, 60],
    [0.07, 61, 120],
    [0.01, 121, 200],
  ] as const;
  const sizes = new Int32Array(count);
  let sum = 0;
  for (let i = 0; i < count; i++) {
    let r = rng.next();
    let size = 1;
    for (const [p, lo, hi] of buckets) {
      if (r < p) {
        size = rng.int(lo, hi);
        break;
      }
      r -= p;
    }
    sizes[i] = size;
    sum += size;
  }
  // Nudge random topics up or down until the total is exact (every topic keeps its first post).
  while (sum !== total && count > 0) {
    const i = Math.floor(rng.next() * count);
    const size = sizes[i] as number;
    if (sum < total) {
      sizes[i] = size + 1;
      sum++;
    } else if (size > 1) {
      sizes[i] = size - 1;
      sum--;
    }
  }
  return sizes;
}

function makePlan(rng: Rng, posts: number, forums: ForumRow[], end: number): Plan {
  const topicCount = Math.max(1, Math.round(posts / POSTS_PER_TOPIC));
  const userCount = Math.max(1, Math.round(posts / POSTS_PER_USER));
  const longSize = Math.min(
    Math.max(LONG_TOPIC_MIN, Math.round(posts / LONG_TOPIC_SHARE)),
    posts - (topicCount - 1),
  );
  const start = end - HISTORY;

  // Topics in creation order; the long one is an old topic that is still going.
  const longTopic = Math.floor(topicCount * 0.05);
  const others = topicSizes(rng, topicCount - 1, posts - longSize);
  const topicSize = new Int32Array(topicCount);
  for (let t = 0, o = 0; t < topicCount; t++) {
    topicSize[t] = t === longTopic ? longSize : (others[o++] as number);
  }
  const topicOffset = new Int32Array(topicCount);
  for (let t = 1; t < topicCount; t++) {
    topicOffset[t] = (topicOffset[t - 1] as number) + (topicSize[t - 1] as number);
  }
  const topicStart = new Float64Array(topicCount);
  for (let t = 0; t < topicCount; t++) topicStart[t] = start + rng.next() * (HISTORY - 3600_000);
  topicStart.sort();

  // Some forums are busier than others (Zipf-like weights over a shuffled forum order).
  const weights = forums.map((_, i) => 1 / (i + 1) ** 0.9);
  for (let i = weights.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [weights[i], weights[j]] = [weights[j] as number, weights[i] as number];
  }
  const weightSum = weights.reduce((a, b) => a + b, 0);
  const topicForum = new Int32Array(topicCount);
  for (let t = 0; t < topicCount; t++) {
    let r = rng.next() * weightSum;
    let f = 0;
    while (f < weights.length - 1 && r >= (weights[f] as number)) r -= weights[f++] as number;
    topicForum[t] = f;
  }

  // Post times: replies follow at random gaps, squeezed to end before `end`.
  const slotTopic = new Int32Array(posts);
  const slotTime = new Float64Array(posts);
  const slotUser = new Int32Array(posts);
  for (let t = 0; t < topicCount; t++) {
    const size = topicSize[t] as number;
    const offset = topicOffset[t] as number;
    const first = Math.floor(topicStart[t] as number);
    const room = end - first;
    const meanGap =
      t === longTopic ? (room * 0.95) / size : Math.exp(rng.next() * Math.log(144)) * 10 * 60_000;
    let at = 0;
    slotTopic[offset] = t;
    slotTime[offset] = 0;
    for (let n = 1; n < size; n++) {
      at += 1000 + rng.expo(meanGap);
      slotTopic[offset + n] = t;
      slotTime[offset + n] = at;
    }
    const scale = at > room ? room / at : 1;
    let prev = -1;
    for (let n = 0; n < size; n++) {
      // Strictly increasing whole milliseconds within the topic.
      const time = Math.max(prev + 1, first + Math.floor((slotTime[offset + n] as number) * scale));
      slotTime[offset + n] = time;
      prev = time;
    }
  }

  // Authors: a few people write a lot, most write a little.
  for (let s = 0; s < posts; s++) slotUser[s] = Math.floor(userCount * rng.next() ** 2);

  const order = new Uint32Array(posts);
  for (let s = 0; s < posts; s++) order[s] = s;
  order.sort((a, b) => (slotTime[a] as number) - (slotTime[b] as number) || a - b);
  const rankOfSlot = new Uint32Array(posts);
  for (let r = 0; r < posts; r++) rankOfSlot[order[r] as number] = r;

  const userPosts = new Int32Array(userCount);
  const userFirstPost = new Float64Array(userCount).fill(Number.POSITIVE_INFINITY);
  const userLastPost = new Float64Array(userCount);
  for (let s = 0; s < posts; s++) {
    const u = slotUser[s] as number;
    const at = slotTime[s] as number;
    userPosts[u] = (userPosts[u] as number) + 1;
    if (at < (userFirstPost[u] as number)) userFirstPost[u] = at;
    if (at > (userLastPost[u] as number)) userLastPost[u] = at;
  }
  // People join before they first post; ids follow the joining order.
  const userCreated = new Float64Array(userCount);
  for (let u = 0; u < userCount; u++) {
    const firstPost = userFirstPost[u] as number;
    userCreated[u] = Number.isFinite(firstPost)
      ? Math.floor(firstPost - rng.next() * 30 * 24 * 3600_000) - 1
      : Math.floor(start + rng.next() * HISTORY);
  }
  const userOrder = new Int32Array(userCount);
  for (let u = 0; u < userCount; u++) userOrder[u] = u;
  userOrder.sort((a, b) => (userCreated[a] as number) - (userCreated[b] as number) || a - b);
  const userRank = new Int32Array(userCount);
  for (let r = 0; r < userCount; r++) userRank[userOrder[r] as number] = r;

  return {
    topicCount,
    userCount,
    postCount: posts,
    topicSize,
    topicOffset,
    topicForum,
    longTopic,
    slotTopic,
    slotTime,
    slotUser,
    slotBody: new Int16Array(posts),
    slotWords: new Uint16Array(posts),
    order,
    rankOfSlot,
    userRank,
    userOrder,
    userCreated,
    userPosts,
    userFirstPost,
    userLastPost,
  };
}

/**
 * Every post is word-level prose (see scripts/seed-text.ts): opening posts of 40 to 160 words,
 * replies mostly short. Some also carry a body of the pool after it (code, lists, quotes, links),
 * so that the markdown pipeline's features appear too.
 */
function assignBodies(rng: Rng, plan: Plan, pool: BodyPool): void {
  for (let s = 0; s < plan.postCount; s++) {
    const t = plan.slotTopic[s] as number;
    const opening = s === plan.topicOffset[t];
    const r = rng.next();
    plan.slotWords[s] = opening
      ? rng.int(40, 160)
      : r < 0.5
        ? rng.int(6, 30)
        : r < 0.85
          ? rng.int(30, 90)
          : rng.int(90, 250);
    const extra = rng.next() < (opening ? 0.3 : 0.15);
    const kind = opening
      ? rng.chance(0.6)
        ? pool.medium
        : pool.long
      : rng.pick([pool.short, pool.medium, pool.long]);
    plan.slotBody[s] = extra ? rng.pick(kind) : -1;
  }
}

// --- writing -----------------------------------------------------------------------------------

/** `(?, ?, ...), (?, ?, ...)` for `rows` rows of `columns` placeholders. */
function placeholders(rows: number, columns: number): string {
  const row = `(${new Array(columns).fill('?').join(', ')})`;
  return new Array(rows).fill(row).join(', ');
}

async function maxId(client: Client, table: string): Promise<number> {
  // With AUTOINCREMENT, ids of deleted rows are never handed out again: honour the sequence too.
  const rs = await client.execute({
    sql: `SELECT max(coalesce((SELECT max(id) FROM ${table}), 0), coalesce((SELECT seq FROM sqlite_sequence WHERE name = ?), 0)) AS id`,
    args: [table],
  });
  return Number(rs.rows[0]?.id ?? 0);
}

function usernames(rng: Rng, count: number, taken: Set<string>): string[] {
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    const r = rng.next();
    let name =
      r < 0.3
        ? `${first}_${last}`
        : r < 0.5
          ? `${first}${rng.int(1, 99)}`
          : r < 0.7
            ? `${rng.pick(WORDS)}${rng.pick(WORDS)}`
            : r < 0.85
              ? `${cap(first)}${cap(last)}`
              : `${first}-${last.charAt(0)}`;
    let key = name.toLowerCase();
    if (taken.has(key)) {
      const base = name;
      for (let n = 2; taken.has(key); n++) {
        name = `${base}${n}`;
        key = name.toLowerCase();
      }
    }
    taken.add(key);
    names.push(name);
  }
  return names;
}

/**
 * Fills the database with `posts` posts (see the file comment). Migrates first; adds the demo
 * forums and people when the database has no forum.
 */
export async function seedLarge(opts: SeedLargeOptions): Promise<SeedLargeResult> {
  const started = performance.now();
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const posts = Math.floor(opts.posts);
  if (!Number.isFinite(posts) || posts < 1) throw new RangeError('posts must be at least 1');
  const config = opts.config ?? loadConfig({ DATABASE_URL: opts.url });
  const cookOptions: CookOptions = { origin: config.publicOrigin, houseHosts: config.houseHosts };
  const rng = makeRng(opts.seed ?? 20261120);
  const end = opts.now ?? Date.now();

  const embedded = opts.url.startsWith('file:');
  // As the server opens it: folder created, connection settings applied, migrations run.
  const client = await openLibsql({ databaseUrl: opts.url, databaseAuthToken: opts.authToken });
  try {
    const deps = makeDeps(createDb({ libsql: client }), config);
    if (await seedDemo(deps)) log('No forums yet: added the demo forums and people first.');

    const forumRows = await client.execute(
      'SELECT id, topic_count, post_count, last_post_at FROM forums ORDER BY id',
    );
    const forums: ForumRow[] = forumRows.rows.map((r) => ({
      id: Number(r.id),
      topicCount: Number(r.topic_count),
      postCount: Number(r.post_count),
      lastPostAt: r.last_post_at === null ? null : Number(r.last_post_at),
    }));
    if (forums.length === 0) throw new Error('the database has no forum to put topics in');
    const baseUser = await maxId(client, 'users');
    const baseTopic = await maxId(client, 'topics');
    const basePost = await maxId(client, 'posts');
    const taken = new Set(
      (await client.execute('SELECT username_key FROM users')).rows.map((r) =>
        String(r.username_key),
      ),
    );

    const plan = makePlan(rng, posts, forums, end);
    const pool = makeBodyPool(rng, cookOptions);
    const poolText = pool.html.map(indexedText);
    assignBodies(rng, plan, pool);
    // The words of the posts come from a stream of their own, drawn in post-id order.
    const textRng = makeRng((opts.seed ?? 20261120) ^ 0x5eed);
    const vocabulary = makeVocabulary(textRng);
    const topicTitle: string[] = new Array(plan.topicCount);
    const names = usernames(rng, plan.userCount, taken);

    const progress = new Progress(
      plan.userCount + plan.topicCount + plan.postCount,
      opts.progress ?? true,
    );
    const userId = (u: number) => baseUser + 1 + (plan.userRank[u] as number);
    const postId = (slot: number) => basePost + 1 + (plan.rankOfSlot[slot] as number);

    // Bulk-load settings for this connection: no fsync per commit, a big page cache, and a
    // rollback journal instead of WAL (WAL would write every page twice: log, then checkpoint).
    // The server switches back to WAL when it opens the database (prepareLibsql).
    let restoreJournal: string | null = null;
    if (embedded) {
      const mode = String((await client.execute('PRAGMA journal_mode')).rows[0]?.[0] ?? '');
      const now = String((await client.execute('PRAGMA journal_mode = DELETE')).rows[0]?.[0] ?? '');
      if (now.toLowerCase() === 'delete' && mode.toLowerCase() !== 'delete') restoreJournal = mode;
      await client.execute('PRAGMA synchronous = OFF');
      await client.execute('PRAGMA cache_size = -262144');
      await client.execute('PRAGMA temp_store = MEMORY');
    }

    // People.
    let tx: Transaction = await client.transaction('write');
    try {
      for (let r = 0; r < plan.userCount; r += USER_ROWS_PER_STMT) {
        const rows = Math.min(USER_ROWS_PER_STMT, plan.userCount - r);
        const args: InValue[] = [];
        for (let i = r; i < r + rows; i++) {
          const u = plan.userOrder[i] as number;
          const name = names[i] as string;
          const created = plan.userCreated[u] as number;
          const count = plan.userPosts[u] as number;
          const withName = rng.chance(0.55);
          args.push(
            baseUser + 1 + i,
            name,
            name.toLowerCase(),
            withName ? `${cap(rng.pick(FIRST_NAMES))} ${cap(rng.pick(LAST_NAMES))}` : null,
            rng.chance(0.25) ? rng.pick(BIOS) : '',
            created,
            created,
            // Posting asks for the one-time "posts are public" acknowledgement.
            count > 0 ? (plan.userFirstPost[u] as number) : null,
            count,
            count > 0 ? (plan.userLastPost[u] as number) : null,
          );
        }
        await tx.execute({
          sql: `INSERT INTO users (id, username, username_key, display_name, bio, created_at, age_confirmed_at, public_ack_at, post_count, last_posted_at) VALUES ${placeholders(rows, 10)}`,
          args,
        });
        progress.add(rows);
      }

      // Topics, with their counters and pointers computed from the plan.
      const forumTopics = new Int32Array(forums.length);
      const forumPosts = new Int32Array(forums.length);
      const forumLastSlot = new Int32Array(forums.length).fill(-1);
      const pinnedForum = new Uint8Array(forums.length);
      for (let t0 = 0; t0 < plan.topicCount; t0 += TOPIC_ROWS_PER_STMT) {
        const rows = Math.min(TOPIC_ROWS_PER_STMT, plan.topicCount - t0);
        const args: InValue[] = [];
        for (let t = t0; t < t0 + rows; t++) {
          const size = plan.topicSize[t] as number;
          const firstSlot = plan.topicOffset[t] as number;
          const lastSlot = firstSlot + size - 1;
          const f = plan.topicForum[t] as number;
          forumTopics[f] = (forumTopics[f] as number) + 1;
          forumPosts[f] = (forumPosts[f] as number) + size;
          const prevLast = forumLastSlot[f] as number;
          if (prevLast < 0 || postId(lastSlot) > postId(prevLast)) forumLastSlot[f] = lastSlot;
          const title = rng.chance(0.4) ? proseTitle(vocabulary, textRng) : rng.pick(TITLES)();
          topicTitle[t] = title;
          const question = rng.chance(0.2) || title.endsWith('?');
          const created = plan.slotTime[firstSlot] as number;
          const lastAt = plan.slotTime[lastSlot] as number;
          const author = userId(plan.slotUser[firstSlot] as number);
          // An answered question: the asker accepted one of the replies.
          let accepted: number | null = null;
          let acceptedAt: number | null = null;
          if (question && size > 1 && rng.chance(0.4)) {
            const slot = firstSlot + rng.int(1, size - 1);
            accepted = postId(slot);
            acceptedAt = Math.min(
              end,
              (plan.slotTime[slot] as number) + rng.int(60_000, 86_400_000),
            );
          }
          // The first seeded topic of each forum is pinned; a few old ones are locked.
          const pinned = pinnedForum[f] === 0;
          pinnedForum[f] = 1;
          const locked = lastAt < end - YEAR && rng.chance(0.02);
          args.push(
            baseTopic + 1 + t,
            (forums[f] as ForumRow).id,
            author,
            title,
            slugify(title),
            question ? 'question' : 'discussion',
            pinned ? 1 : 0,
            locked ? 1 : 0,
            size,
            size,
            postId(firstSlot),
            postId(lastSlot),
            userId(plan.slotUser[lastSlot] as number),
            lastAt,
            accepted,
            accepted === null ? null : author,
            acceptedAt,
            created,
          );
        }
        await tx.execute({
          sql: `INSERT INTO topics (id, forum_id, user_id, title, slug, kind, pinned, locked, post_count, highest_number, first_post_id, last_post_id, last_poster_id, last_post_at, accepted_post_id, accepted_by_id, accepted_at, created_at) VALUES ${placeholders(rows, 18)}`,
          args,
        });
        progress.add(rows);
      }

      // Forum counters: what the services' increments would have added up to.
      for (let f = 0; f < forums.length; f++) {
        const lastSlot = forumLastSlot[f] as number;
        if (lastSlot < 0) continue;
        const forum = forums[f] as ForumRow;
        const lastAt = plan.slotTime[lastSlot] as number;
        const newer = forum.lastPostAt === null || lastAt >= forum.lastPostAt;
        await tx.execute({
          sql: `UPDATE forums SET topic_count = topic_count + ?, post_count = post_count + ?${newer ? ', last_post_id = ?, last_topic_id = ?, last_post_at = ?' : ''} WHERE id = ?`,
          args: [
            forumTopics[f] as number,
            forumPosts[f] as number,
            ...(newer
              ? [postId(lastSlot), baseTopic + 1 + (plan.slotTopic[lastSlot] as number), lastAt]
              : []),
            forum.id,
          ],
        });
      }

      // Posts, in id (= time) order, with the search index's rows as createTopic/createReply
      // write them: the plain text of the cooked body, the title with the first post.
      const insertPosts = (rows: number) =>
        `INSERT INTO posts (id, topic_id, number, user_id, body_markdown, body_html, cook_version, created_at) VALUES ${placeholders(rows, 8)}`;
      for (let r0 = 0; r0 < plan.postCount; r0 += POST_ROWS_PER_STMT) {
        if (r0 > 0 && r0 % POSTS_PER_TX === 0) {
          await tx.commit();
          tx = await client.transaction('write');
        }
        const rows = Math.min(POST_ROWS_PER_STMT, plan.postCount - r0);
        const args: InValue[] = [];
        const ftsArgs: InValue[] = [];
        for (let r = r0; r < r0 + rows; r++) {
          const slot = plan.order[r] as number;
          const t = plan.slotTopic[slot] as number;
          const number = slot - (plan.topicOffset[t] as number) + 1;
          const body = prose(vocabulary, textRng, plan.slotWords[slot] as number);
          const extra = plan.slotBody[slot] as number;
          const markdown =
            extra < 0 ? body.markdown : `${body.markdown}\n\n${pool.markdown[extra]}`;
          const html = extra < 0 ? body.html : `${body.html}\n${pool.html[extra]}`;
          const text = extra < 0 ? body.text : `${body.text} ${poolText[extra]}`;
          args.push(
            basePost + 1 + r,
            baseTopic + 1 + t,
            number,
            userId(plan.slotUser[slot] as number),
            markdown,
            html,
            COOK_VERSION,
            plan.slotTime[slot] as number,
          );
          ftsArgs.push(
            basePost + 1 + r,
            number === 1 ? indexedTitle(topicTitle[t] ?? '') : '',
            text,
          );
        }
        await tx.execute({ sql: insertPosts(rows), args });
        await tx.execute({
          sql: `INSERT INTO posts_fts (rowid, title, body) VALUES ${placeholders(rows, 3)}`,
          args: ftsArgs,
        });
        progress.add(rows);
      }
      await tx.commit();
    } catch (err) {
      await tx.rollback();
      throw err;
    } finally {
      progress.finish();
    }
    if (restoreJournal) await client.execute(`PRAGMA journal_mode = ${restoreJournal}`);

    const elapsedMs = performance.now() - started;
    const longTopicId = baseTopic + 1 + plan.longTopic;
    const seconds = elapsedMs / 1000;
    log(
      `Seeded ${plan.postCount.toLocaleString('en-US')} posts in ${plan.topicCount.toLocaleString('en-US')} topics by ${plan.userCount.toLocaleString('en-US')} people over ${forums.length} forums in ${seconds.toFixed(1)} s (${Math.round(plan.postCount / seconds).toLocaleString('en-US')} posts/s; ${pool.markdown.length} distinct bodies; long topic ${longTopicId} with ${plan.topicSize[plan.longTopic]} posts).`,
    );
    return {
      posts: plan.postCount,
      topics: plan.topicCount,
      users: plan.userCount,
      firstTopicId: baseTopic + 1,
      lastTopicId: baseTopic + plan.topicCount,
      longTopicId,
      longTopicPosts: plan.topicSize[plan.longTopic] as number,
      bodies: pool.markdown.length,
      elapsedMs,
    };
  } finally {
    client.close();
  }
}

// --- checking ----------------------------------------------------------------------------------

export type Check = { name: string; ok: boolean; detail: string };

/**
 * Consistency queries over the whole database: every counter and pointer against the rows it
 * summarises, post numbering, time order within topics, and cooked HTML for a sample of posts.
 */
export async function checkConsistency(
  client: Client,
  cookOptions: CookOptions,
  sample = 200,
): Promise<Check[]> {
  const count = async (sql: string) => Number((await client.execute(sql)).rows[0]?.[0] ?? 0);
  const checks: Check[] = [];
  const zero = async (name: string, sql: string) => {
    const n = await count(sql);
    checks.push({ name, ok: n === 0, detail: `${n} mismatching` });
  };
  // What the public may see (src/services/visibility.ts), written out again here: the check
  // must not trust the code it checks.
  const publicTopic = (t: string) => `${t}.state = 'visible' AND ${t}.removed_at IS NULL`;
  const publicPost = (p: string) =>
    `${p}.state = 'visible' AND ${p}.deleted_at IS NULL AND ${p}.removed_at IS NULL`;
  const totalPosts = await count('SELECT count(*) FROM posts');
  const topicSum = await count('SELECT coalesce(sum(post_count), 0) FROM topics');
  const publicTopicPosts = await count(
    `SELECT coalesce(sum(post_count), 0) FROM topics t WHERE ${publicTopic('t')}`,
  );
  const forumSum = await count('SELECT coalesce(sum(post_count), 0) FROM forums');
  const userSum = await count('SELECT coalesce(sum(post_count), 0) FROM users');
  const forumTopicSum = await count('SELECT coalesce(sum(topic_count), 0) FROM forums');
  const publicTopics = await count(`SELECT count(*) FROM topics t WHERE ${publicTopic('t')}`);
  const eq = (name: string, a: number, b: number) =>
    checks.push({
      name,
      ok: a === b,
      detail: `${a.toLocaleString('en-US')} vs ${b.toLocaleString('en-US')}`,
    });
  eq('sum(topics.post_count) = count(posts)', topicSum, totalPosts);
  eq('sum(forums.post_count) = posts of public topics', forumSum, publicTopicPosts);
  eq('sum(users.post_count) = count(posts)', userSum, totalPosts);
  eq('sum(forums.topic_count) = public topics', forumTopicSum, publicTopics);

  await zero(
    'forum topic_count/post_count/last_* match their public topics and posts',
    `WITH t AS (SELECT forum_id, count(*) AS topics, sum(post_count) AS posts FROM topics t
                WHERE ${publicTopic('t')} GROUP BY forum_id),
          l AS (SELECT f.id AS forum_id,
                  (SELECT p.id FROM topics t2 JOIN posts p ON p.id = t2.last_post_id
                    WHERE t2.forum_id = f.id AND ${publicTopic('t2')}
                    ORDER BY p.created_at DESC, p.id DESC LIMIT 1) AS last_post_id
                FROM forums f)
     SELECT count(*) FROM forums f LEFT JOIN t ON t.forum_id = f.id JOIN l ON l.forum_id = f.id
     LEFT JOIN posts lp ON lp.id = l.last_post_id
     WHERE f.topic_count IS NOT coalesce(t.topics, 0) OR f.post_count IS NOT coalesce(t.posts, 0)
        OR f.last_post_id IS NOT l.last_post_id OR f.last_topic_id IS NOT lp.topic_id
        OR f.last_post_at IS NOT lp.created_at`,
  );
  await zero(
    'topic post_count/highest_number/first/last post/last poster/last_post_at match its posts',
    `WITH s AS (SELECT topic_id, count(*) AS n, min(number) AS lo, max(number) AS hi FROM posts GROUP BY topic_id)
     SELECT count(*) FROM topics t LEFT JOIN s ON s.topic_id = t.id
     LEFT JOIN posts fp ON fp.topic_id = t.id AND fp.number = 1
     LEFT JOIN posts lp ON lp.topic_id = t.id AND lp.number = s.hi
     WHERE t.post_count IS NOT s.n OR t.highest_number IS NOT s.hi OR s.lo IS NOT 1
        OR t.first_post_id IS NOT fp.id OR t.last_post_id IS NOT lp.id
        OR t.last_poster_id IS NOT lp.user_id OR t.last_post_at IS NOT lp.created_at
        OR t.user_id IS NOT fp.user_id OR t.created_at IS NOT fp.created_at`,
  );
  await zero(
    'post numbers contiguous 1..n per topic',
    'SELECT count(*) FROM (SELECT topic_id FROM posts GROUP BY topic_id HAVING max(number) != count(*) OR min(number) != 1)',
  );
  await zero(
    'created_at strictly increasing with number within each topic',
    `SELECT count(*) FROM (SELECT created_at, lag(created_at) OVER (PARTITION BY topic_id ORDER BY number) AS prev FROM posts)
     WHERE prev IS NOT NULL AND created_at <= prev`,
  );
  await zero(
    'users post_count/last_posted_at match their posts',
    `WITH s AS (SELECT user_id, count(*) AS n, max(created_at) AS last FROM posts WHERE user_id IS NOT NULL GROUP BY user_id)
     SELECT count(*) FROM users u LEFT JOIN s ON s.user_id = u.id
     WHERE u.post_count IS NOT coalesce(s.n, 0) OR u.last_posted_at IS NOT s.last`,
  );
  await zero(
    'usernames unique ignoring case, username_key lower-case',
    `SELECT (SELECT count(*) FROM users WHERE username_key != lower(username))
          + (SELECT count(*) - count(DISTINCT lower(username)) FROM users)`,
  );
  eq(
    'posts_fts rows = public posts',
    await count('SELECT count(*) FROM posts_fts'),
    await count(
      `SELECT count(*) FROM posts p JOIN topics t ON t.id = p.topic_id
       WHERE ${publicPost('p')} AND ${publicTopic('t')}`,
    ),
  );
  await zero(
    'posts_fts title of each public post is its topic title with the first post only',
    `SELECT count(*) FROM posts p JOIN topics t ON t.id = p.topic_id
     LEFT JOIN posts_fts f ON f.rowid = p.id
     WHERE ${publicPost('p')} AND ${publicTopic('t')}
       AND f.title IS NOT (CASE WHEN p.number = 1 THEN t.title ELSE '' END)`,
  );
  // The body is the plain text of the HTML, which only JavaScript makes: checked on a sample.
  const indexed = (
    await client.execute({
      sql: `SELECT p.body_html AS html, f.body AS body FROM posts_fts f JOIN posts p ON p.id = f.rowid
            WHERE f.rowid IN (SELECT abs(random()) % (SELECT max(id) FROM posts) + 1 FROM posts LIMIT ?)`,
      args: [sample],
    })
  ).rows;
  const stale = indexed.filter((r) => indexedText(String(r.html)) !== r.body).length;
  checks.push({
    name: 'posts_fts body = plain text of body_html for a random sample',
    ok: stale === 0 && indexed.length > 0,
    detail: `${stale} of ${indexed.length} differ`,
  });
  await zero(
    'posts_fts holds no post the public may not see',
    `SELECT count(*) FROM posts_fts f LEFT JOIN posts p ON p.id = f.rowid
     LEFT JOIN topics t ON t.id = p.topic_id
     WHERE p.id IS NULL OR NOT (${publicPost('p')} AND ${publicTopic('t')})`,
  );
  await zero(
    'accepted answers are replies of their topic',
    `SELECT count(*) FROM topics t LEFT JOIN posts p ON p.id = t.accepted_post_id
     WHERE t.accepted_post_id IS NOT NULL AND (p.topic_id IS NOT t.id OR p.number < 2)`,
  );
  await zero(
    'cook_version is COOK_VERSION',
    `SELECT count(*) FROM posts WHERE cook_version != ${COOK_VERSION}`,
  );
  const rows = (
    await client.execute({
      sql: 'SELECT body_markdown, body_html FROM posts WHERE id IN (SELECT abs(random()) % (SELECT max(id) FROM posts) + 1 FROM posts LIMIT ?)',
      args: [sample],
    })
  ).rows;
  const bad = rows.filter((r) => cook(String(r.body_markdown), cookOptions) !== r.body_html).length;
  checks.push({
    name: 'body_html = cook(body_markdown) for a random sample',
    ok: bad === 0,
    detail: `${bad} of ${rows.length} differ`,
  });
  return checks;
}

// --- command line ------------------------------------------------------------------------------

async function main() {
  const args = process.argv.slice(2);
  const posts = parseCount(argValue(args, '--posts'));
  if (!(posts >= 1)) {
    console.error('Usage: npm run seed:large -- --posts N [--seed S] [--check]');
    process.exit(2);
  }
  const seedArg = argValue(args, '--seed');
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
  const result = await seedLarge({
    url: config.databaseUrl,
    authToken: config.databaseAuthToken,
    posts,
    config,
    ...(seedArg ? { seed: Number(seedArg) } : {}),
    log: (line) => console.log(line),
  });
  console.log(
    `Done in ${(result.elapsedMs / 1000).toFixed(1)} s: ${config.databaseUrl} (topics ${result.firstTopicId}-${result.lastTopicId}, long topic /t/${result.longTopicId}).`,
  );
  if (args.includes('--check')) {
    const client = createClient({ url: config.databaseUrl, authToken: config.databaseAuthToken });
    try {
      const started = performance.now();
      const checks = await checkConsistency(client, {
        origin: config.publicOrigin,
        houseHosts: config.houseHosts,
      });
      for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}: ${c.detail}`);
      console.log(`Checked in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
    } finally {
      client.close();
    }
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main();
}
