/** /admin/mail: what the forum has emailed, mailings with their progress, the privacy notice's. */
import type { MailingProgress, MailOverview } from '../../../src/services/mailings';
import { Time } from '../../components/time';
import type { Frame } from '../../layouts/site';
import { AdminSectionPage } from './parts';

export type AdminMailPageProps = { frame: Frame; overview: MailOverview; notice?: string };

const n = (x: number) => x.toLocaleString('en-US');

export function AdminMailPage({ frame, overview: o, notice }: AdminMailPageProps) {
  return (
    <AdminSectionPage frame={frame} section="mail" notice={notice}>
      {o.available ? null : (
        <p class="notice notice-warning">
          This forum cannot send email: no transport is configured (SMTP_URL on Node, the EMAIL
          binding and PUBLIC_ORIGIN on Workers). Emails wait in the outbox until one is.
        </p>
      )}
      <section class="admin-section" aria-labelledby="privacy-title">
        <h2 id="privacy-title">The privacy notice's change</h2>
        <p>
          The privacy notice is at version <strong>{o.privacy.version}</strong> of {o.privacy.date}:{' '}
          {o.privacy.summary}
        </p>
        {o.privacyMailing ? (
          <>
            <p>
              Its notice was emailed to {n(o.privacyMailing.recipients)}{' '}
              {o.privacyMailing.recipients === 1 ? 'member' : 'members'}, first on{' '}
              <Time date={o.privacyMailing.createdAt} />.
            </p>
            <Progress mailing={o.privacyMailing} />
          </>
        ) : (
          <p>Its change has not been emailed yet.</p>
        )}
        <p>
          The email goes to every member who joined before {o.privacy.date} and has not had it, at
          any address on file (it is a service notice), but not to addresses that refuse mail.
          Nobody gets it twice, however often it is sent.
        </p>
        <form method="post" action="/admin/mail/privacy-notice" class="buttons">
          <button type="submit">
            {o.privacyMailing
              ? 'Email it to members who have not had it'
              : `Email the change of version ${o.privacy.version} to every member`}
          </button>
        </form>
      </section>

      <section class="admin-section" aria-labelledby="mailings-title">
        <h2 id="mailings-title">Mailings</h2>
        {o.mailings.length === 0 ? (
          <p class="muted">Nothing has been emailed to many members yet.</p>
        ) : (
          <ol class="admin-mailings">
            {o.mailings.map((m) => (
              <li>
                <h3>
                  {m.topic ? (
                    <>
                      Announcement: <a href={`/t/${m.topic.id}/${m.topic.slug}`}>{m.topic.title}</a>
                    </>
                  ) : (
                    `Privacy notice, version ${m.policyVersion}`
                  )}
                </h3>
                <p class="muted">
                  <Time date={m.createdAt} />
                </p>
                <Progress mailing={m} />
              </li>
            ))}
          </ol>
        )}
        <p>
          <a href="/admin/mail">Refresh</a> to see how far they have come.
        </p>
      </section>

      <section class="admin-section" aria-labelledby="outbox-title">
        <h2 id="outbox-title">The last 30 days</h2>
        <p>
          {n(o.outbox.sent)} sent, {n(o.outbox.queued)} waiting (or to be tried again),{' '}
          {n(o.outbox.dead)} given up, {n(o.outbox.dropped)} dropped (their reason went away before
          they were sent). Records go 30 days after an email is done.
        </p>
      </section>
    </AdminSectionPage>
  );
}

function Progress({ mailing: m }: { mailing: MailingProgress }) {
  const label = `Sending ${m.policyVersion ? `the notice of version ${m.policyVersion}` : 'the announcement'}`;
  return (
    <div class="mailing-progress">
      <progress value={m.done} max={Math.max(1, m.recipients)} aria-label={label}>
        {n(m.done)} of {n(m.recipients)}
      </progress>
      <p>
        {n(m.counts.sent)} of {n(m.recipients)} sent
        {m.counts.queued ? `, ${n(m.counts.queued)} waiting` : ''}
        {m.counts.dead ? `, ${n(m.counts.dead)} given up` : ''}
        {m.counts.dropped ? `, ${n(m.counts.dropped)} dropped` : ''}.
      </p>
    </div>
  );
}
