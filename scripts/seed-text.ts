/**
 * Word-level text for the large-forum generator (scripts/seed-large.ts): sentences drawn word by
 * word from a Zipf-like vocabulary (the r-th most frequent word about 1/(r + 2.7) as often as
 * the first), so that the search index sees term frequencies like a real forum's: a few words in
 * most posts, a long tail of rare ones, and some two-word collocations ("licence key") that
 * phrase searches find. The text is plain words and punctuation, so its markdown, its cooked HTML
 * and its plain text are known without cooking it (seed-large's --check cooks a sample to prove it).
 */

export type Rng = { next(): number; int(lo: number, hi: number): number };

// biome-ignore format: a word list
const FUNCTION_WORDS = [
  'the', 'to', 'i', 'and', 'a', 'it', 'is', 'of', 'in', 'that', 'for', 'you', 'on', 'with',
  'this', 'but', 'not', 'have', 'my', 'be', 'can', 'if', 'was', 'when', 'so', 'do', 'at', 'or',
  'as', 'are', 'there', 'from', 'then', 'just', 'same', 'also', 'after', 'any', 'all', 'one',
  'now', 'what', 'me', 'an', 'by', 'we', 'your', 'no', 'will', 'only', 'still', 'again', 'how',
  'would', 'could', 'some', 'they', 'which', 'here', 'out', 'up', 'about', 'does', 'did', 'has',
  'had', 'get', 'got', 'more', 'like', 'thanks', 'yes', 'because', 'other', 'new', 'first',
  'last', 'every', 'before', 'since', 'into', 'than', 'them', 'should', 'very', 'much', 'too',
  'way', 'see', 'try', 'tried', 'works', 'work', 'working', 'use', 'using', 'used', 'need',
  'know', 'think', 'make', 'same', 'time', 'day', 'week', 'while', 'though', 'where', 'why',
];

// biome-ignore format: a word list
const FORUM_WORDS = [
  'backup', 'file', 'files', 'update', 'version', 'error', 'export', 'licence', 'folder', 'app',
  'settings', 'install', 'restore', 'problem', 'support', 'option', 'invoice', 'window', 'log',
  'sync', 'server', 'computer', 'job', 'message', 'button', 'menu', 'account', 'data', 'issue',
  'release', 'template', 'image', 'plugin', 'screen', 'network', 'proxy', 'password', 'key',
  'drive', 'disk', 'cloud', 'copy', 'crash', 'crashes', 'start', 'open', 'save', 'saved',
  'upload', 'download', 'import', 'report', 'schedule', 'nightly', 'setting', 'profile',
  'colour', 'preview', 'editor', 'layer', 'filter', 'brush', 'photo', 'camera', 'raw', 'print',
  'printer', 'pdf', 'csv', 'excel', 'column', 'field', 'customer', 'tax', 'currency', 'payment',
  'refund', 'order', 'purchase', 'vendor', 'trial', 'activation', 'serial', 'mac', 'windows',
  'linux', 'ubuntu', 'laptop', 'desktop', 'mobile', 'phone', 'tablet', 'browser', 'firewall',
  'antivirus', 'permission', 'admin', 'user', 'service', 'process', 'memory', 'cpu', 'speed',
  'slow', 'fast', 'timeout', 'connection', 'certificate', 'script', 'command', 'api', 'token',
  'database', 'table', 'query', 'index', 'cache', 'temp', 'path', 'drive', 'usb', 'external',
  'archive', 'zip', 'encryption', 'encrypted', 'snapshot', 'shadow', 'volume', 'retention',
  'incremental', 'full', 'differential', 'target', 'source', 'destination', 'wizard', 'dialog',
  'checkbox', 'toolbar', 'shortcut', 'keyboard', 'mouse', 'monitor', 'display', 'resolution',
  'font', 'language', 'translation', 'german', 'french', 'spanish', 'date', 'format', 'separator',
  'semicolon', 'comma', 'decimal', 'number', 'total', 'line', 'item', 'discount', 'tracking',
  'email', 'notification', 'reminder', 'calendar', 'month', 'year', 'hour', 'minute', 'default',
  'custom', 'advanced', 'manual', 'documentation', 'forum', 'thread', 'answer', 'question',
  'workaround', 'fix', 'fixed', 'bug', 'beta', 'patch', 'changelog', 'feature', 'request',
  'upgrade', 'downgrade', 'reinstall', 'uninstall', 'registry', 'config', 'ini', 'json', 'xml',
  'terminal', 'shell', 'powershell', 'cron', 'task', 'scheduler', 'queue', 'batch', 'resize',
  'crop', 'sharpen', 'noise', 'exposure', 'white', 'balance', 'histogram', 'preset', 'lens',
];

/** Two words that go together, now and then, so phrase searches have something to find. */
export const COLLOCATIONS = [
  'nightly backup',
  'licence key',
  'error message',
  'proxy settings',
  'restore wizard',
  'csv export',
  'dark mode',
  'plugin api',
  'shadow copy',
  'white balance',
  'invoice template',
  'release notes',
  'support ticket',
  'command line',
  'file permissions',
  'sync service',
] as const;

const SYLLABLES = [
  'ka',
  'lo',
  'mi',
  'ra',
  'ten',
  'dor',
  'vel',
  'qui',
  'sa',
  'po',
  'nex',
  'tri',
  'bal',
  'cor',
  'fen',
  'gu',
  'hal',
  'jor',
  'lek',
  'mun',
  'pra',
  'sto',
  'vin',
  'zel',
  'bro',
  'cla',
  'dri',
  'fla',
  'gro',
  'ple',
  'sor',
  'tam',
  'wex',
  'yor',
  'zu',
  'bri',
  'cal',
  'dun',
  'esk',
  'fyr',
];

/** Words of the vocabulary in rank order (most frequent first) and the sampler over them. */
export type Vocabulary = { words: string[]; cumulative: Float64Array };

/**
 * The vocabulary: common English words first, the forum's words among the next few hundred
 * ranks, then made-up words (product names, error codes, typos: the long tail).
 */
export function makeVocabulary(rng: Rng, size = 30_000): Vocabulary {
  const words: string[] = [];
  const seen = new Set<string>();
  const add = (w: string) => {
    if (seen.has(w)) return;
    seen.add(w);
    words.push(w);
  };
  const common = [...new Set(FUNCTION_WORDS)];
  const forum = [...new Set(FORUM_WORDS)];
  for (const w of common.slice(0, 40)) add(w);
  // Then the forum's words interleaved with the rest of the common ones.
  for (let i = 0, j = 40; i < forum.length || j < common.length; i++, j += 1) {
    if (i < forum.length) add(forum[i] as string);
    if (j < common.length && i % 2 === 0) add(common[j] as string);
  }
  while (words.length < size) {
    const n = rng.int(2, 4);
    let w = '';
    for (let k = 0; k < n; k++) w += SYLLABLES[rng.int(0, SYLLABLES.length - 1)];
    add(w);
  }
  const cumulative = new Float64Array(words.length);
  let sum = 0;
  for (let r = 0; r < words.length; r++) {
    sum += 1 / (r + 1 + 2.7);
    cumulative[r] = sum;
  }
  return { words, cumulative };
}

/** One word drawn by frequency. */
export function drawWord(v: Vocabulary, rng: Rng): string {
  const total = v.cumulative[v.cumulative.length - 1] as number;
  const x = rng.next() * total;
  let lo = 0;
  let hi = v.cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((v.cumulative[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  return v.words[lo] as string;
}

/** About `words` words of prose in paragraphs: markdown, its cooked HTML, and its plain text. */
export function prose(
  v: Vocabulary,
  rng: Rng,
  words: number,
): { markdown: string; html: string; text: string } {
  const paragraphs: string[] = [];
  let left = Math.max(3, words);
  while (left > 0) {
    const sentences: string[] = [];
    const inParagraph = rng.int(1, 4);
    for (let s = 0; s < inParagraph && left > 0; s++) {
      const n = Math.min(left, rng.int(4, 16));
      const out: string[] = [];
      while (out.length < n) {
        if (rng.next() < 0.03)
          out.push(...(COLLOCATIONS[rng.int(0, COLLOCATIONS.length - 1)] as string).split(' '));
        else out.push(drawWord(v, rng));
        if (out.length < n && rng.next() < 0.06) out[out.length - 1] += ',';
      }
      left -= out.length;
      const first = out[0] as string;
      out[0] = first.charAt(0).toUpperCase() + first.slice(1);
      const last = (out[out.length - 1] as string).replace(/,$/, '');
      out[out.length - 1] = `${last}${rng.next() < 0.2 ? '?' : '.'}`;
      sentences.push(out.join(' '));
    }
    paragraphs.push(sentences.join(' '));
  }
  return {
    markdown: paragraphs.join('\n\n'),
    html: paragraphs.map((p) => `<p>${p}</p>`).join('\n'),
    text: paragraphs.join(' '),
  };
}
