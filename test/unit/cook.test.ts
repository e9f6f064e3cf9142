import { describe, expect, it } from 'vitest';
import { COOK_VERSION, cook, UncookableMarkdown } from '../../src/content/cook';
import { MAX_NESTING } from '../../src/content/cooking-budget';
import { MAX_BODY } from '../../src/validation/forms';
import { repeat, WORST_INPUTS } from '../fixtures/cooking/worst';
import { payloads } from '../fixtures/xss/payloads';
import { harmfulParts } from '../support/harmless';
import { parseHtml as parse } from '../support/html';

const opts = { origin: 'http://forum.test', houseHosts: ['plimus.com'] };
const links = (md: string) =>
  parse(cook(md, opts))
    .querySelectorAll('a')
    .map((a) => ({ href: a.getAttribute('href'), rel: a.getAttribute('rel'), text: a.text }));

describe('cook: markdown', () => {
  it('renders GitHub-flavoured markdown: code with its language, tables, quotes, lists', () => {
    const html = cook(
      '```ts\nconst a = 1 < 2;\n```\n\n> quoted\n\n| a | b |\n| - | - |\n| 1 | 2 |\n\n- one\n- ~~two~~\n\n1. first',
      opts,
    );
    const doc = parse(html);
    expect(doc.querySelector('pre code.language-ts')?.text).toBe('const a = 1 < 2;\n');
    expect(doc.querySelector('blockquote p')?.text).toBe('quoted');
    expect(doc.querySelectorAll('table td').map((td) => td.text)).toEqual(['1', '2']);
    expect(doc.querySelector('del')?.text).toBe('two');
    expect(doc.querySelector('ol li')?.text).toBe('first');
  });

  it('starts a post\u2019s own outline at h3, whatever level its largest heading has', () => {
    const levels = (md: string) =>
      parse(cook(md, opts))
        .querySelectorAll('h3,h4,h5,h6')
        .map((h) => h.tagName.toLowerCase());
    expect(levels('## Two\n\n### Three')).toEqual(['h3', 'h4']);
    expect(levels('#### Four\n\n###### Six')).toEqual(['h3', 'h5']);
    expect(levels('<h2>raw</h2>\n\n### md')).toEqual(['h3', 'h4']);
  });

  it('puts post headings below the page outline (h1 -> h3)', () => {
    const doc = parse(cook('# One\n\n## Two\n\n###### Six', opts));
    expect(doc.querySelectorAll('h3,h4,h5,h6').map((h) => h.tagName.toLowerCase())).toEqual([
      'h3',
      'h4',
      'h6',
    ]);
    expect(doc.querySelector('h1,h2')).toBeNull();
  });

  it('shows task-list boxes as text, not form controls', () => {
    const html = cook('- [x] done\n- [ ] open', opts);
    expect(html).not.toContain('<input');
    expect(
      parse(html)
        .querySelectorAll('li')
        .map((li) => li.text.trim()),
    ).toEqual(['☑ done', '☐ open']);
  });

  it('escapes text and keeps the pipeline version positive', () => {
    expect(cook('5 > 3 & 2 < 4', opts)).toBe('<p>5 &gt; 3 &amp; 2 &lt; 4</p>');
    expect(Number.isInteger(COOK_VERSION) && COOK_VERSION > 0).toBe(true);
  });
});

describe('cook: links', () => {
  it('sends links to other sites through /out with rel="nofollow ugc noopener"', () => {
    expect(links('[docs](https://example.com/a?b=1&c=2#x)')).toEqual([
      {
        href: '/out?url=https%3A%2F%2Fexample.com%2Fa%3Fb%3D1%26c%3D2%23x',
        rel: 'nofollow ugc noopener',
        text: 'docs',
      },
    ]);
  });

  it('rewrites bare URLs, protocol-relative links and look-alike hosts too', () => {
    const out = links(
      'https://auto.example.net/x and [pr](//evil.example/) [a](https://plimus.com.evil.example/) [b](https://evilplimus.com/)',
    );
    expect(out.map((l) => l.href)).toEqual([
      '/out?url=https%3A%2F%2Fauto.example.net%2Fx',
      '/out?url=http%3A%2F%2Fevil.example%2F',
      '/out?url=https%3A%2F%2Fplimus.com.evil.example%2F',
      '/out?url=https%3A%2F%2Fevilplimus.com%2F',
    ]);
    expect(out.every((l) => l.rel === 'nofollow ugc noopener')).toBe(true);
  });

  it('keeps links to this forum and to house hosts direct', () => {
    expect(
      links(
        '[t](/t/1/x) [abs](http://forum.test/f/help?page=2#p3) [h](https://plimus.com/) [s](https://www.plimus.com/buy)',
      ),
    ).toEqual([
      { href: '/t/1/x', rel: undefined, text: 't' },
      { href: '/f/help?page=2#p3', rel: undefined, text: 'abs' },
      { href: 'https://plimus.com/', rel: undefined, text: 'h' },
      { href: 'https://www.plimus.com/buy', rel: undefined, text: 's' },
    ]);
  });

  it('drops addresses that are not web or mail links, and ones that do not parse', () => {
    const out = links(
      '[a](javascript:alert(1)) [b](vbscript:x) [c](data:text/html,x) <a href="http://bad host/">d</a> [e](mailto:help@plimus.com)',
    );
    expect(out.map((l) => l.href)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      'mailto:help@plimus.com',
    ]);
  });

  it('turns images into links (through /out when elsewhere) and drops raw <img>', () => {
    const doc = parse(
      cook(
        '![cat](https://img.example/cat.png) ![logo](/favicon.svg) <img src="https://track.example/p.gif"> <img src=x onerror=alert(1)>',
        opts,
      ),
    );
    expect(doc.querySelectorAll('img')).toHaveLength(0);
    expect(doc.querySelectorAll('a').map((a) => [a.text, a.getAttribute('href')])).toEqual([
      ['Image: cat', '/out?url=https%3A%2F%2Fimg.example%2Fcat.png'],
      ['Image: logo', '/favicon.svg'],
    ]);
  });

  it('drops made-up schemes hidden behind control characters instead of treating them as paths', () => {
    const out = links(
      '<a href="\u0001java\u0003script:alert(1)">a</a> <a href=" java\tscript:x">b</a> <a href="foo:bar">c</a>',
    );
    expect(out.map((l) => l.href)).toEqual([undefined, undefined, undefined]);
    expect(links('[spaced](https://example.com/a%20b)')[0]?.href).toBe(
      '/out?url=https%3A%2F%2Fexample.com%2Fa%2520b',
    );
  });
});

describe('cook: XSS payloads', () => {
  it(`leaves nothing harmful from ${payloads.length} public payloads`, () => {
    const failures = payloads
      .map((p) => ({ p, harm: harmfulParts(cook(p.payload, opts)) }))
      .filter((r) => r.harm.length > 0)
      .map((r) => `${r.p.source}#${r.p.id}: ${r.harm.join(', ')}`);
    expect(failures).toEqual([]);
  });

  it('the checker itself catches what it must', () => {
    expect(
      harmfulParts(
        '<p onclick="x">a</p><a href="javascript:x">b</a><svg></svg><a href="https://evil.example">c</a>',
      ),
    ).toEqual(['attribute onclick', 'href="javascript:x"', '<svg>', 'href="https://evil.example"']);
  });
});

/**
 * A realistic stretch of a long post: paragraphs with emphasis and links, a list, a table, code
 * and a quote, about one of each per kilobyte.
 */
const REALISTIC = `Since the last update the **nightly backup** fails with a timeout on *Windows 11*. I tried reinstalling the desktop app, but the restore wizard still hangs at 99 %; the log says nothing useful. See [the log](https://example.com/logs/1) and https://www.plimus.com/releases/latest for the details.

For what it is worth, the CSV export works fine for me on macOS 14, and the sync service has not dropped a file in weeks. Support told me that the plug-in API is being reworked for the next release, so I would rather not write a plug-in that adds a menu entry by hand every week.

1. Open *Settings → Advanced*.
2. Tick **Use Volume Shadow Copy** and restart the service.

| Setting | Before | After |
| --- | --- | --- |
| proxy | 8.0 | 8.0.2 |

\`\`\`sh
acme-backup run --job "Nightly" --verbose
\`\`\`

> Turning off the antivirus for a moment made it work again, so \`retry = 5\` will do for now.

`;

/** Formatting as dense as a post gets: a list, a table, code and a quote every few lines. */
const DENSE = `The **nightly backup** fails on *Windows 11*; see [the log](https://example.com/logs/1).

1. Open *Settings → Advanced*.
2. Tick **Use Volume Shadow Copy**.

| Setting | Before | After |
| --- | --- | --- |
| proxy | 8.0 | 8.0.2 |

\`\`\`sh
acme-backup run --job "Nightly"
\`\`\`

> So \`retry = 5\` will do for now.

`;

const refusal = (md: string) => {
  try {
    cook(md, opts);
    return 'cooked';
  } catch (err) {
    if (err instanceof UncookableMarkdown) return err;
    throw err;
  }
};

describe('cook: the budget', () => {
  it('cooks realistic posts of every length up to the body limit', () => {
    for (const length of [200, 2_000, 20_000, MAX_BODY]) {
      expect(refusal(repeat(REALISTIC, length)), `${length} characters`).toBe('cooked');
    }
  });

  it('cooks posts of a few kilobytes however dense their formatting', () => {
    for (const length of [500, 2_000, 4_000])
      expect(refusal(repeat(DENSE, length)), `${length} characters`).toBe('cooked');
  });

  it('refuses or cooks the worst inputs known, at the body limit, as recorded', () => {
    const outcomes = WORST_INPUTS.map((w) => {
      const result = refusal(w.make(MAX_BODY));
      return [w.name, result === 'cooked' ? result : result.reason];
    });
    expect(outcomes).toEqual(WORST_INPUTS.map((w) => [w.name, w.expect]));
  });

  it('says what to change, without the text marked adds to errors', () => {
    for (const w of WORST_INPUTS.filter((x) => x.expect !== 'cooked')) {
      const err = refusal(w.make(MAX_BODY)) as UncookableMarkdown;
      expect(err.explanation, w.name).toMatch(/Please /);
      expect(err.explanation).not.toMatch(/marked/i);
    }
  });

  it(`nests quotes and lists ${MAX_NESTING} deep, and refuses one more`, () => {
    const quote = (depth: number) => `${'> '.repeat(depth)}deep`;
    const list = (depth: number) =>
      Array.from({ length: depth }, (_, i) => `${'  '.repeat(i)}- level ${i + 1}`).join('\n');
    expect(parse(cook(quote(MAX_NESTING), opts)).querySelectorAll('blockquote')).toHaveLength(
      MAX_NESTING,
    );
    expect(parse(cook(list(MAX_NESTING), opts)).querySelectorAll('ul')).toHaveLength(MAX_NESTING);
    for (const md of [quote(MAX_NESTING + 1), list(MAX_NESTING + 1)]) {
      expect((refusal(md) as UncookableMarkdown).reason).toBe('nesting');
    }
  });

  it('gives the same answer every time: it counts work, not time', () => {
    const md = repeat('- a\n', 30_000);
    const first = refusal(md);
    expect(first).toBeInstanceOf(UncookableMarkdown);
    for (let i = 0; i < 3; i++) expect((refusal(md) as UncookableMarkdown).reason).toBe('elements');
  });
});
