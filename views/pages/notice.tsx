/** A page that says what just happened, for links followed from an email while signed out. */
import type { Child } from 'hono/jsx';
import { type Frame, Layout } from '../layouts/site';

export type NoticePageProps = { frame: Frame; title: string; message: string; children?: Child };

export function NoticePage({ frame, title, message, children }: NoticePageProps) {
  return (
    <Layout frame={frame} title={title} noindex>
      <h1>{title}</h1>
      <p>{message}</p>
      {children}
      <p>
        <a href="/">Go to the forum index</a>
      </p>
    </Layout>
  );
}
