/** Following a topic or forum, on its own page: shown again when a choice came back with a problem. */
import type { ForumWatchLevel } from '../../domain/words';
import { Breadcrumbs } from '../components/breadcrumbs';
import { type WatchChoice, WatchForm } from '../components/watch-form';
import { type Frame, Layout } from '../layouts/site';

export type WatchPageProps<L extends ForumWatchLevel> = {
  frame: Frame;
  /** the topic or forum: its name and page */
  title: string;
  href: string;
  crumbs: { href: string; label: string }[];
  choice: WatchChoice<L>;
};

export function WatchPage<L extends ForumWatchLevel>(p: WatchPageProps<L>) {
  return (
    <Layout frame={p.frame} title={`Watching: ${p.title}`} noindex>
      <Breadcrumbs items={[...p.crumbs, { href: p.href, label: p.title }]} />
      <h1>Watching “{p.title}”</h1>
      <WatchForm {...p.choice} />
      <p>
        <a href={p.href}>Back to “{p.title}”</a>
      </p>
    </Layout>
  );
}
