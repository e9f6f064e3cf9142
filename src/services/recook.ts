/**
 * Re-cooking: posts keep the version of the pipeline that cooked them (posts.cook_version); when
 * the pipeline changes (COOK_VERSION goes up), their HTML is made again from their markdown, and
 * their search-index text from it (mentions link the members who have those names now). Run
 * by `npm run cli -- recook`, in batches, while the forum runs.
 */
import { and, asc, eq, gt, lt } from 'drizzle-orm';
import { posts } from '../../db/schema';
import { COOK_VERSION, cook, UncookableMarkdown } from '../content/cook';
import type { MentionNames } from '../content/mentions';
import type { AppDeps } from '../context';
import { mentionNames } from './mentions';
import { guardedIndexStatements } from './search-index';

/**
 * Re-cooks every post made with an older pipeline, `batchSize` at a time (one batch write each).
 * @returns how many posts were re-cooked
 */
export async function recookStalePosts(
  deps: AppDeps,
  opts: { batchSize?: number; onProgress?: (done: number) => void } = {},
): Promise<number> {
  const batchSize = opts.batchSize ?? 500;
  let done = 0;
  let after = 0;
  for (;;) {
    const stale = await deps.db
      .select({ id: posts.id, markdown: posts.bodyMarkdown })
      .from(posts)
      .where(and(gt(posts.id, after), lt(posts.cookVersion, COOK_VERSION)))
      .orderBy(asc(posts.id))
      .limit(batchSize);
    if (stale.length === 0) return done;
    const cooked: { id: number; html: string }[] = [];
    for (const p of stale) {
      const html = recooked(deps, p.markdown, await mentionNames(deps, p.markdown));
      if (html !== undefined) cooked.push({ id: p.id, html });
    }
    const [first, ...rest] = cooked.map((p) =>
      deps.db
        .update(posts)
        .set({ bodyHtml: p.html, cookVersion: COOK_VERSION })
        .where(and(eq(posts.id, p.id), lt(posts.cookVersion, COOK_VERSION))),
    );
    // The search index follows the new HTML (for the posts that took it).
    if (first) await deps.db.batch([first, ...rest, ...guardedIndexStatements(deps.db, cooked)]);
    done += stale.length;
    after = stale[stale.length - 1]?.id ?? after;
    opts.onProgress?.(done);
  }
}

/**
 * A post's markdown cooked by this pipeline; undefined when it is over the cooking budget (a
 * post from before the budget): it keeps the HTML it has.
 */
function recooked(deps: AppDeps, markdown: string, mentions: MentionNames): string | undefined {
  try {
    return cook(markdown, deps.cook, mentions);
  } catch (err) {
    if (err instanceof UncookableMarkdown) return undefined;
    throw err;
  }
}
