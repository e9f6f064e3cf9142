import { describe, expect, it } from 'vitest';
import { COOK_VERSION, cook } from '../../src/content/cook';
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
