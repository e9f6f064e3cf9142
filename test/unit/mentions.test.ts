import { describe, expect, it } from 'vitest';
import { cook, cookCounted } from '../../src/content/cook';
import { MAX_MENTION_CANDIDATES, mentionCandidates } from '../../src/content/mentions';
import { MAX_BODY } from '../../src/validation/forms';
import { payloads } from '../fixtures/xss/payloads';
import { harmfulParts } from '../support/harmless';
import { parseHtml } from '../support/html';

const opts = { origin: 'http://forum.test', houseHosts: ['plimus.com'] };
const names = new Map([
  ['dana', 'Dana'],
  ['vendor_bob', 'vendor_bob'],
  ['a-b-c', 'a-b-c'],
]);

const mentionLinks = (html: string) =>
  parseHtml(html)
    .querySelectorAll('a.mention')
    .map((a) => [a.getAttribute('href'), a.text]);

describe('mention candidates', () => {
  it('reads @names as usernames are made, lower-cased, each once, in order', () => {
    expect(mentionCandidates('Hi @Dana and @vendor_bob, @dana again; @a-b-c.')).toEqual([
      'dana',
      'vendor_bob',
      'a-b-c',
    ]);
  });

  it('takes no email address, no name too short or too long, no name glued to another', () => {
    expect(
      mentionCandidates(`mail dana@example.org, @ab, @${'x'.repeat(21)}, x@dana, @@dana, @dana@x`),
    ).toEqual([]);
  });

  it(`stops at ${MAX_MENTION_CANDIDATES} names, and is linear in a body of the largest size`, () => {
    const many = Array.from({ length: 200 }, (_, i) => `@name${i}`).join(' ');
    expect(mentionCandidates(many)).toHaveLength(MAX_MENTION_CANDIDATES);
    // The worst inputs for the pattern: runs of name characters and of @ with nothing between.
    for (const body of [
      '@'.repeat(MAX_BODY),
      `@${'a'.repeat(MAX_BODY - 1)}`,
      'a@'.repeat(MAX_BODY / 2),
    ]) {
      expect(mentionCandidates(body)).toEqual([]);
    }
  });
});

describe('cooking with mentions', () => {
  it('links the names of members to their profiles, written as the username is', () => {
    const { html, mentioned } = cookCounted('Thanks @dana and @VENDOR_BOB!', opts, names);
    expect(mentionLinks(html)).toEqual([
      ['/u/Dana', '@Dana'],
      ['/u/vendor_bob', '@vendor_bob'],
    ]);
    expect(mentioned).toEqual(['Dana', 'vendor_bob']);
  });

  it('leaves unknown names as text, and mentions a person once however often named', () => {
    const { html, mentioned } = cookCounted('@nobody, @dana, @dana and *@dana*', opts, names);
    expect(parseHtml(html).text).toContain('@nobody');
    expect(mentionLinks(html)).toHaveLength(3);
    expect(mentioned).toEqual(['Dana']);
  });

  it('mentions nobody in code, in quotes or in links', () => {
    const md = [
      '`@dana` in code',
      '',
      '    @dana in a code block',
      '',
      '> @dana in a quote',
      '',
      '[@dana](https://example.com) and https://example.com/@dana',
    ].join('\n');
    const { html, mentioned } = cookCounted(md, opts, names);
    expect(mentioned).toEqual([]);
    expect(mentionLinks(html)).toEqual([]);
  });

  it('mentions in lists, tables, headings and emphasis', () => {
    const md = ['- @dana', '', '| who |', '| --- |', '| @vendor_bob |', '', '# Hi @a-b-c'].join(
      '\n',
    );
    expect(cookCounted(md, opts, names).mentioned).toEqual(['Dana', 'vendor_bob', 'a-b-c']);
  });

  it('cooks as before without names to link, and escapes the text around a mention', () => {
    expect(cook('Hi @dana <b>', opts)).toBe(cook('Hi @dana <b>', opts, new Map()));
    const html = cook('<@dana> & "@dana"', opts, names);
    expect(mentionLinks(html)).toHaveLength(2);
    expect(parseHtml(html).text).toBe('<@Dana> & "@Dana"');
  });

  it('keeps the mention class only on links to a profile: a hand-written one elsewhere loses it', () => {
    const html = cook(
      '<a class="mention" href="https://evil.example/">x</a> <a class="mention" href="/u/Dana">y</a>',
      opts,
    );
    const links = parseHtml(html).querySelectorAll('a');
    expect(links.map((a) => a.getAttribute('class') ?? null)).toEqual([null, 'mention']);
  });

  it('keeps every XSS payload harmless when names around it are mentions', () => {
    for (const { payload } of payloads) {
      const html = cook(`@dana ${payload} @vendor_bob`, opts, names);
      expect(harmfulParts(html), payload).toEqual([]);
    }
  });
});
