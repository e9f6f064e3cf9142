import { type Frame, Layout } from '../layouts/site';

export type ErrorPageProps = { frame: Frame; status: number; title: string; message: string };

export function ErrorPage({ frame, status, title, message }: ErrorPageProps) {
  return (
    <Layout frame={frame} title={title} noindex>
      <h1>{title}</h1>
      <p>{message}</p>
      <p class="muted">Error {status}.</p>
      <p>
        <a href="/">Go to the forum index</a>
      </p>
    </Layout>
  );
}
