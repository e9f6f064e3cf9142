/**
 * Snippets and marked titles against the XSS corpus (test/fixtures/xss/payloads.ts): whatever a
 * post or a title says, the search page's marked HTML has no element but <mark>, no attribute,
 * and reads back as the text it came from.
 */
import { Parser } from 'htmlparser2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../../src/content/search-query';
import { createMember } from '../../src/services/accounts';
import { createForum } from '../../src/services/catalog';
import { createTopic } from '../../src/services/posting';
import { markedHtml, searchPosts } from '../../src/services/search';
import { MARK_END, MARK_START } from '../../src/services/search-index';
import { payloads } from '../fixtures/xss/payloads';
import { createTestForum, type TestForum } from '../support/forum';

/** The elements, attributes and text of an HTML fragment, as a browser's parser reads it. */
function read(html: string) {
  const tags: string[] = [];
  const attributes: string[] = [];
  let text = '';
  const parser = new Parser(
    {
      onopentag: (name, attrs) => {
        tags.push(name);
        attributes.push(...Object.keys(attrs));
      },
      ontext: (t) => {
        text += t;
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  return { tags: [...new Set(tags)], attributes, text };
}

describe('markedHtml', () => {
  it.each(payloads.map((p) => [`${p.source} #${p.id}`, p.payload]))(
    '%s: only <mark>, no attributes, the same text',
    (_name, payload) => {
      const html = markedHtml(
        `${payload} ${MARK_START}${payload}${MARK_END} ${MARK_START}${payload}`,
      );
      const r = read(html);
      expect(r.tags.filter((t) => t !== 'mark')).toEqual([]);
      expect(r.attributes).toEqual([]);
      expect(r.text).toBe(`${payload} ${payload} ${payload}`);
    },
  );
});

describe('search results', () => {
  let forum: TestForum;
  const probes: { word: string; payload: string }[] = [];

  beforeAll(async () => {
    forum = await createTestForum();
    const author = await createMember(forum.deps, { username: 'xss_prober' });
    const lab = await createForum(forum.deps, {
      slug: 'xss-lab',
      name: 'XSS lab',
      category: 'community',
    });
    for (const [i, p] of payloads.entries()) {
      const word = `xssprobe${i}q`;
      const title = `${word} ${p.payload}`.replace(/[\p{Cc}]/gu, ' ').slice(0, 150);
      await createTopic(forum.deps, {
        forumId: lab.id,
        authorId: author.id,
        title,
        body: `${word} ${p.payload} ${word}`,
        kind: 'discussion',
      });
      probes.push({ word, payload: p.payload });
    }
  }, 120_000);
  afterAll(() => forum.close());

  it('mark matched words in titles and snippets without letting any payload become markup', async () => {
    let checked = 0;
    for (const { word } of probes) {
      const { hits } = await searchPosts(forum.deps, parseSearchQuery(word), 1);
      expect(hits, word).toHaveLength(1);
      const hit = hits[0];
      if (!hit) continue;
      for (const html of [hit.topic.titleHtml, hit.post.snippetHtml]) {
        const r = read(html);
        expect(
          r.tags.filter((t) => t !== 'mark'),
          `${word}: ${html}`,
        ).toEqual([]);
        expect(r.attributes, `${word}: ${html}`).toEqual([]);
      }
      expect(hit.topic.titleHtml).toContain(`<mark>${word}</mark>`);
      checked++;
    }
    expect(checked).toBe(payloads.length);
  }, 120_000);
});
