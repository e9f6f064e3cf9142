import { type Frame, Layout } from '../layouts/site';

export type OutboundPageProps = { frame: Frame; url: string; host: string; backHref: string };

/**
 * The page every link to another site passes through. It never redirects by itself: the reader
 * chooses to continue.
 */
export function OutboundPage({ frame, url, host, backHref }: OutboundPageProps) {
  return (
    <Layout frame={frame} title={`Leaving for ${host}`} noindex>
      <h1>
        You are leaving for <span class="out-host">{host}</span>
      </h1>
      <p class="out-url">
        Full address: <code>{url}</code>
      </p>
      <p>
        <strong>{host}</strong> is not operated by Plimus. It has its own privacy policy, and its
        standards may differ from ours: we encourage you to read it before you share anything there.
      </p>
      <p class="out-actions">
        <a class="button" href={url} rel="noopener noreferrer nofollow">
          Continue to {host}
        </a>
        <a class="button button-secondary" href={backHref}>
          Back
        </a>
      </p>
    </Layout>
  );
}
