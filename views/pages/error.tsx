import { Layout } from '../layouts/site';

export type ErrorPageProps = { status: number; title: string; message: string };

export function ErrorPage({ status, title, message }: ErrorPageProps) {
  return (
    <Layout title={title} noindex>
      <h1>{title}</h1>
      <p>{message}</p>
      <p class="muted">Error {status}.</p>
      <p>
        <a href="/">Go to the forum index</a>
      </p>
    </Layout>
  );
}
