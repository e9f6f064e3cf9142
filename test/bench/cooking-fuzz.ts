/**
 * Looking for worst inputs (`npm run bench -- --only cooking --fuzz 300 [--seed 1]`): generated
 * mixes of delimiters, nesting, links, entities and HTML (a unit repeated, a prefix, body and
 * suffix of units, lines under container prefixes, wide tables, growing indentation), each as
 * long as the body limit, measured against realistic prose of the same length. Prints the
 * costliest, measured again; one worse than the 2× target belongs in
 * test/fixtures/cooking/worst.ts, with what the budget must charge for it.
 */
import { submissionCost } from './cooking';
import { median } from './lib';

const PIECES = [
  '*',
  '**',
  '_',
  '__',
  '~',
  '~~',
  '`',
  '``',
  '[',
  ']',
  '(',
  ')',
  '![',
  '](',
  '<',
  '>',
  '</',
  '<a ',
  '<b>',
  '</b>',
  '<em>',
  '</i>',
  '&',
  '&#',
  '&amp;',
  '#',
  '# ',
  '!',
  '\\',
  '|',
  '-',
  '- ',
  '* ',
  '1. ',
  '> ',
  '\n',
  '\n\n',
  '  ',
  '\t',
  'a',
  'aa',
  '1',
  '.',
  ':',
  '/',
  'http://',
  'www.',
  '@',
  '"',
  "'",
  '=',
  '{',
  '}',
  '$',
  '%',
  '+',
  ',',
  ';',
  '?',
  '<!--',
  '-->',
  '[x] ',
  '|-|',
  '---',
  '===',
  '```\n',
  '    ',
  'a_',
  '_a',
  '*a',
  'a*',
  '[a]',
  '[a]: /x\n',
  '<http://a>',
  'a@b.c',
  '&#1;',
  'x|y\n',
  '\\*',
  '\\_',
  '<div>\n',
  '</div>',
  '<p>',
  '<br>',
  '  \n',
];
const PREFIXES = ['> ', '- ', '* ', '1. ', '  ', '    ', '\t', '> > ', '- > ', '  - ', '| ', '# '];

/** mulberry32 */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generator(seed: number, length: number) {
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T;
  const unit = () =>
    Array.from({ length: 1 + Math.floor(next() * 6) }, () => pick(PIECES)).join('');
  const fill = (make: () => string) => {
    let s = '';
    while (s.length < length) s += make();
    return s.slice(0, length);
  };
  const kinds = [
    () => {
      const u = unit();
      return fill(() => u);
    },
    () => {
      const [p, u, q] = [unit(), unit(), unit()];
      return `${p.repeat(Math.ceil(length / 2 / p.length))}${u.repeat(Math.ceil(length / 2 / u.length))}`
        .slice(0, length - q.length * 10)
        .concat(q.repeat(10));
    },
    () => {
      const prefix = pick([...PREFIXES, '']) + pick([...PREFIXES, '']);
      const u = unit();
      return fill(() => `${prefix}${next() < 0.5 ? u : unit()}${next() < 0.2 ? '\n\n' : '\n'}`);
    },
    () => {
      const cols = 1 + Math.floor(next() * 200);
      const cell = unit().replace(/\n/g, ' ');
      const head = `|${' a |'.repeat(cols)}\n|${'-|'.repeat(cols)}\n`;
      return (head + fill(() => `|${`${cell}|`.repeat(cols)}\n`)).slice(0, length);
    },
    () => {
      const u = unit().replace(/\n/g, ' ');
      let i = 0;
      return fill(() => `${'  '.repeat(i++ % 30)}${pick(['- ', '* ', '1. ', '> ', ''])}${u}\n`);
    },
  ];
  return () => pick(kinds)();
}

export function fuzzCooking(opts: {
  count: number;
  seed: number;
  length: number;
  log: (line: string) => void;
}) {
  const { log } = opts;
  const make = generator(opts.seed, opts.length);
  log(`\n## Fuzzing the cooking budget: ${opts.count} inputs, seed ${opts.seed}`);
  const found: { ratio: number; outcome: string; markdown: string }[] = [];
  for (let i = 0; i < opts.count; i++) {
    const markdown = make();
    const { ratio, outcome } = submissionCost(markdown, opts.length, 1);
    found.push({ ratio, outcome, markdown });
  }
  found.sort((a, b) => b.ratio - a.ratio);
  log('\n| × realistic (5 rounds) | outcome | input starts with |');
  log('| ---: | --- | --- |');
  for (const f of found.slice(0, 10)) {
    const again = median(
      Array.from({ length: 5 }, () => submissionCost(f.markdown, opts.length, 1).ratio),
    );
    log(`| ${again.toFixed(2)} | ${f.outcome} | \`${JSON.stringify(f.markdown.slice(0, 50))}\` |`);
  }
}
