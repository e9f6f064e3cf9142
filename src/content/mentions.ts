/**
 * @mentions. `@username` in a post's text becomes a link to that person's profile when the
 * service says the name is a member's (`MentionNames`): the lookup is the service's, this module
 * stays pure. Names in code, in quotes (the quoted person wrote them) and in links stay text, as
 * do names nobody has.
 *
 * Two steps: `mentionCandidates` reads the names that may be mentions from the markdown with one
 * linear pattern (a superset: it does not know about code or quotes), for the service to look
 * up; `linkMentions` then turns the known ones into links in the lexed tokens, where code and
 * quotes are known, and says whom the post mentions.
 */
import type { Token, Tokens } from 'marked';

/** Lower-cased username → the username as written at registration. */
export type MentionNames = ReadonlyMap<string, string>;

/** names looked up for one post, at most: more candidates than this are not mentions */
export const MAX_MENTION_CANDIDATES = 50;

// A name as usernames are made (src/validation/forms.ts), after an @ that does not follow a
// letter, a digit or one of the name's characters (so an email address is no mention), and not
// followed by another name character. Every part is bounded: linear in the text.
const MENTION = /(?<![A-Za-z0-9_@-])@([A-Za-z0-9_-]{3,20})(?![A-Za-z0-9_@-])/g;

/** The distinct names (lower-cased) the markdown may mention, in order, at most `max`. */
export function mentionCandidates(markdown: string, max = MAX_MENTION_CANDIDATES): string[] {
  const out = new Set<string>();
  for (const m of markdown.matchAll(MENTION)) {
    out.add((m[1] as string).toLowerCase());
    if (out.size >= max) break;
  }
  return [...out];
}

/** Tokens whose text is never a mention: code, quotes, links, raw HTML. */
const NOT_MENTIONS = new Set(['code', 'codespan', 'blockquote', 'link', 'image', 'html', 'escape']);

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/**
 * Makes the known names in `tokens` (as the lexer made them) links to their profiles, in place.
 * Returns the usernames mentioned, each once, in the order they first appear.
 */
export function linkMentions(tokens: Token[], names: MentionNames): string[] {
  const mentioned = new Set<string>();
  if (names.size > 0) walk(tokens, names, mentioned);
  return [...mentioned];
}

function walk(tokens: Token[], names: MentionNames, mentioned: Set<string>) {
  for (const t of tokens) {
    if (NOT_MENTIONS.has(t.type)) continue;
    if (t.type === 'list') {
      for (const item of (t as Tokens.List).items) walk(item.tokens, names, mentioned);
    } else if (t.type === 'table') {
      const table = t as Tokens.Table;
      for (const cell of table.header) walk(cell.tokens, names, mentioned);
      for (const row of table.rows) for (const cell of row) walk(cell.tokens, names, mentioned);
    } else if ('tokens' in t && Array.isArray(t.tokens) && t.tokens.length > 0) {
      walk(t.tokens, names, mentioned);
    } else if (t.type === 'text' && !(t as Tokens.Text).escaped) {
      linkText(t as Tokens.Text, names, mentioned);
    }
  }
}

/** An inline text token with its known names as links (then marked outputs it as it is). */
function linkText(t: Tokens.Text, names: MentionNames, mentioned: Set<string>) {
  let html = '';
  let at = 0;
  let linked = false;
  for (const m of t.text.matchAll(MENTION)) {
    const username = names.get((m[1] as string).toLowerCase());
    if (!username) continue;
    html += `${escapeHtml(t.text.slice(at, m.index))}<a class="mention" href="/u/${username}">@${username}</a>`;
    at = m.index + m[0].length;
    mentioned.add(username);
    linked = true;
  }
  if (!linked) return;
  t.text = html + escapeHtml(t.text.slice(at));
  t.escaped = true;
}
