/** The one-click unsubscribe link's page: it asks first (link scanners only GET), then says. */
import type { NotificationKind, UnsubscribeScope } from '../../domain/words';
import { NOTIFICATION_KIND_LABELS } from '../../src/content/notification-text';
import { type Frame, Layout } from '../layouts/site';

const WHAT: Record<string, string> = {
  announcements: 'email announcements',
  all: 'every email but service notices (announcements included)',
  digest: 'summaries of your notifications by email',
};

/** What the link stops, in words. */
function what(scope: UnsubscribeScope): string {
  if (scope.startsWith('topic-')) {
    return 'notifications by email about this topic (the topic is muted for you; mentions of you still reach you)';
  }
  if (scope.startsWith('kind-')) {
    const kind = scope.slice('kind-'.length) as NotificationKind;
    return `emails about ${NOTIFICATION_KIND_LABELS[kind]}`;
  }
  return WHAT[scope] ?? scope;
}

export type UnsubscribePageProps = {
  frame: Frame;
  token: string;
  scope: UnsubscribeScope;
  /** the POST was made: the email choice is saved */
  done: boolean;
};

export function UnsubscribePage({ frame, token, scope, done }: UnsubscribePageProps) {
  const title = done ? 'You are unsubscribed' : 'Unsubscribe?';
  return (
    <Layout frame={frame} title={title} noindex>
      <h1>{title}</h1>
      {done ? (
        <p role="status">
          You will get no more {what(scope)} from the Plimus Community Forums. Service notices
          (password resets, security notices, changes of the privacy notice) still come.
        </p>
      ) : (
        <>
          <p>
            Stop {what(scope)} from the Plimus Community Forums? You do not need to sign in. Service
            notices (password resets, security notices, changes of the privacy notice) still come.
          </p>
          <form method="post" action={`/email/unsubscribe/${token}`} class="buttons">
            <button type="submit">Unsubscribe</button>
          </form>
        </>
      )}
      <p>
        Every email choice is on <a href="/account#email-choices-title">your account page</a>.
      </p>
    </Layout>
  );
}
