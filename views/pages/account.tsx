/** The signed-in person's own account: their data, each part with its own small form. */
import type { Child } from 'hono/jsx';
import { DIGEST_CHOICES, type DigestChoice, NOTIFICATION_KINDS } from '../../domain/words';
import { NOTIFICATION_KIND_LABELS } from '../../src/content/notification-text';
import { NOTIFICATION_MAILS_PER_DAY } from '../../src/mail/delivery';
import type { Confirmation } from '../../src/policy/account';
import type { AccountOverview, AccountSession } from '../../src/services/account-settings';
import type { WatchedForum, WatchedTopic } from '../../src/services/watching';
import { MAX_BIO, MAX_DISPLAY_NAME } from '../../src/validation/forms';
import { PublicNotice } from '../components/composer';
import { Checkbox, ErrorSummary, Field, type FieldErrors, TextArea } from '../components/form';
import { Time } from '../components/time';
import { type Frame, Layout } from '../layouts/site';

export const REAUTHENTICATE_HREF = '/auth/plimus?intent=reauthenticate';

export type AccountPageProps = {
  frame: Frame;
  notice?: string | undefined;
  account: AccountOverview;
  /** the topics and forums the person follows, with their level */
  watches: { topics: WatchedTopic[]; forums: WatchedForum[] };
  hasPassword: boolean;
  /** for an account without a password: whether it signed in with Plimus again just now */
  confirmation: Confirmation;
  canUnlink: boolean;
  /** false while the account is suspended: the profile stays as it is */
  canEditProfile: boolean;
  /** sign-in with Plimus is configured on this forum */
  plimusAvailable: boolean;
  /** the forum can send email */
  mailAvailable: boolean;
  /** the private address of the person's notifications as an Atom feed */
  notificationFeed: string;
  /** problems of the form that came back, by field (field names are unique on the page) */
  errors?: FieldErrors;
  /** what the person typed into the form that came back */
  values?: { display_name?: string; bio?: string; email?: string };
};

/**
 * The page's sections, in order, listed at the top: the section's id (the list links to it), its
 * heading's id (emails link to some of them) and its heading.
 */
const SECTIONS = [
  ['account-profile', 'profile-title', 'Profile'],
  ['account-email', 'email-title', 'Email address'],
  ['account-email-choices', 'email-choices-title', 'What we email you'],
  ['account-password', 'password-title', 'Password'],
  ['account-plimus', 'plimus-title', 'Plimus identity'],
  ['account-sessions', 'sessions-title', 'Where you are signed in'],
  ['account-feed', 'feed-title', 'Your notifications as a feed'],
  ['account-watching', 'watching-title', 'What you watch'],
  ['account-data', 'data-title', 'Your data'],
] as const;

type SectionId = (typeof SECTIONS)[number][0];

/** A section of the page with its h2, both from SECTIONS. */
function Section({ id, children }: { id: SectionId; children: Child }) {
  const [, headingId, title] = SECTIONS.find(([i]) => i === id) ?? [id, `${id}-title`, ''];
  return (
    <section id={id} aria-labelledby={headingId} class="account-section">
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

const LABELS: Record<string, string> = {
  display_name: 'Display name',
  bio: 'Bio',
  email: 'New email address',
  current_password: 'Current password',
  new_password: 'New password',
};

export function AccountPage(p: AccountPageProps) {
  const errors = p.errors ?? {};
  const a = p.account;
  return (
    <Layout frame={p.frame} title="Your account" noindex>
      <h1>Your account</h1>
      {p.notice ? (
        <p class="notice notice-ok" role="status">
          {p.notice}
        </p>
      ) : null}
      <ErrorSummary errors={errors} labels={LABELS} />
      <p>
        Signed in as <a href={`/u/${a.username}`}>{a.username}</a>. Only you see this page.
      </p>
      <nav class="toc" aria-labelledby="toc-title">
        <h2 id="toc-title">On this page</h2>
        <ol>
          {SECTIONS.map(([id, , title]) => (
            <li>
              <a href={`#${id}`}>{title}</a>
            </li>
          ))}
        </ol>
      </nav>

      <Section id="account-profile">
        <p>
          Your display name and bio are shown on{' '}
          <a href={`/u/${a.username}`}>your public profile</a> and with your posts. Changes show at
          once.
        </p>
        {p.canEditProfile ? (
          <form method="post" action="/account/profile" class="form" novalidate>
            <Field
              name="display_name"
              label="Display name"
              value={p.values?.display_name ?? a.displayName ?? ''}
              error={errors.display_name}
              hint={`Up to ${MAX_DISPLAY_NAME} characters. Leave it empty to be shown by your username.`}
              autocomplete="nickname"
              maxlength={MAX_DISPLAY_NAME}
            />
            <TextArea
              name="bio"
              label="Bio"
              value={p.values?.bio ?? a.bio}
              error={errors.bio}
              hint={`Up to ${MAX_BIO.toLocaleString('en-US')} characters, plain text.`}
              maxlength={MAX_BIO}
            />
            <PublicNotice id="profile-public-notice" what="Your profile" />
            <div class="buttons">
              <button type="submit" aria-describedby="profile-public-notice">
                Save profile
              </button>
            </div>
          </form>
        ) : (
          <p class="notice">
            While your account is suspended you cannot change your display name or bio.
          </p>
        )}
      </Section>

      <Section id="account-email">
        <EmailSection {...p} errors={errors} />
      </Section>

      <Section id="account-email-choices">
        <EmailChoices account={a} />
      </Section>

      <Section id="account-password">
        <PasswordSection {...p} errors={errors} />
      </Section>

      <Section id="account-plimus">
        <IdentitySection {...p} />
        {a.identity ? (
          <form method="post" action="/account/buyer-badge" class="form" novalidate>
            <Checkbox
              name="show_buyer_badge"
              checked={a.showBuyerBadge}
              label="Show the “Verified buyer” badge on my posts in forums of products I bought."
              hint="A purchase is personal information: it is shown only if you choose. You can also choose post by post when you write in a product forum."
            />
            <div class="buttons">
              <button type="submit">Save choice</button>
            </div>
          </form>
        ) : null}
      </Section>

      <Section id="account-sessions">
        <Sessions sessions={a.sessions} />
        {a.sessions.length > 1 ? (
          <form method="post" action="/account/sessions/end-others" class="buttons">
            <button type="submit" class="button-secondary">
              Sign out everywhere else
            </button>
          </form>
        ) : null}
      </Section>

      <Section id="account-feed">
        <p>
          A feed reader can follow your notifications at this private address, without an email
          address. Anyone who has it can read them: keep it to yourself, and reset it if it got out.
        </p>
        <p>
          <label for="notification-feed">Your feed’s address</label>
          <input
            id="notification-feed"
            type="text"
            readonly
            value={p.notificationFeed}
            class="feed-address"
          />
        </p>
        <form method="post" action="/account/notification-feed/reset" class="buttons">
          <button type="submit" class="button-secondary">
            Reset the address
          </button>
        </form>
      </Section>

      <Section id="account-watching">
        <Watching {...p.watches} />
      </Section>

      <Section id="account-data">
        <ul>
          <li>
            <a href="/account/export">Download everything we hold about you</a> (a JSON file: your
            profile, posts with every earlier version, reports, what you watch, identity link,
            sessions)
          </li>
          <li>
            <a href="/account/delete">Delete your account</a>
          </li>
        </ul>
        <p>
          <a href="/privacy#rights">What you can do with your data</a>
        </p>
      </Section>
    </Layout>
  );
}

/** The address, whether it is confirmed and works, changing it, and every email choice. */
const LEVEL_NAMES: Record<WatchedForum['level'], string> = {
  watching: 'Watching',
  watching_first_post: 'Watching first post',
  tracking: 'Tracking',
  normal: 'Normal',
  muted: 'Muted',
};

/** The topics and forums the person follows; each page changes its own level. */
function Watching(p: { topics: WatchedTopic[]; forums: WatchedForum[] }) {
  if (p.topics.length === 0 && p.forums.length === 0) {
    return (
      <p class="empty">
        You watch nothing yet. Choose how closely to follow a topic or forum on its page.
      </p>
    );
  }
  return (
    <>
      <p>
        Change a level on the topic’s or forum’s page. Watching tells you of every new post; muted,
        only of mentions.
      </p>
      {p.forums.length > 0 ? (
        <>
          <h3>Forums</h3>
          <ul class="watch-list">
            {p.forums.map((f) => (
              <li>
                <a href={`/f/${f.slug}`}>{f.name}</a>: {LEVEL_NAMES[f.level]}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {p.topics.length > 0 ? (
        <>
          <h3>Topics</h3>
          <ul class="watch-list">
            {p.topics.map((t) => (
              <li>
                <a href={`/t/${t.topicId}/${t.slug}`}>{t.title}</a>: {LEVEL_NAMES[t.level]}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}

function EmailSection(p: AccountPageProps & { errors: FieldErrors }) {
  const a = p.account;
  return (
    <>
      <p>
        {a.email ? (
          <>
            Your email address is <strong>{a.email}</strong>.
          </>
        ) : (
          'Your account has no email address.'
        )}{' '}
        It is never shown on the forums.
      </p>
      {a.email && a.emailConfirmedAt ? (
        <p class="email-state">
          Confirmed on <Time date={a.emailConfirmedAt} dateOnly />.
        </p>
      ) : null}
      {a.email && !a.emailConfirmedAt ? (
        <div class="notice email-state">
          <p>
            <strong>Not confirmed yet.</strong> Until you open the link we email you, this address
            gets only service notices, no announcements.
            {a.confirmationExpiresAt ? (
              <>
                {' '}
                The latest link works until <Time date={a.confirmationExpiresAt} />.
              </>
            ) : null}
          </p>
          {p.mailAvailable ? (
            <form method="post" action="/account/email/confirmation" class="buttons">
              <button type="submit" class="button-secondary">
                Send the confirmation link again
              </button>
            </form>
          ) : null}
        </div>
      ) : null}
      {a.emailFailing ? (
        <p class="notice notice-warning email-failing">
          Email to this address could not be delivered since{' '}
          <Time date={a.emailFailing.since} dateOnly />
          {a.emailFailing.code ? ` (the receiving server answered ${a.emailFailing.code})` : ''}.
          Check the address, or change it below.
        </p>
      ) : null}
      {a.pendingEmail ? (
        <p class="notice">
          We sent a confirmation link to <strong>{a.pendingEmail.email}</strong>. The address
          changes when you open it while signed in; it works until{' '}
          <Time date={a.pendingEmail.expiresAt} />.
        </p>
      ) : null}
      {p.mailAvailable ? (
        <form method="post" action="/account/email" class="form" novalidate>
          <Field
            name="email"
            label="New email address"
            type="email"
            value={p.values?.email ?? ''}
            error={p.errors.email}
            hint="We send a link to the new address; your address changes when you open it."
            autocomplete="email"
            required
            maxlength={254}
          />
          <div class="buttons">
            <button type="submit">Send confirmation link</button>
          </div>
        </form>
      ) : (
        <p>
          Changing the email address is not available on this forum yet: it cannot send the email
          that confirms a new address.
        </p>
      )}
    </>
  );
}

const DIGEST_LABELS: Record<DigestChoice, string> = {
  off: 'Never',
  daily: 'Once a day',
  weekly: 'Once a week',
};

/** Every email choice: service notices always come, the rest only if chosen. */
function EmailChoices({ account: a }: { account: AccountOverview }) {
  return (
    <>
      <p>
        Service notices always come, to any address on file: password resets, security notices,
        links to confirm an address, and changes of the privacy notice. Everything else only to a
        confirmed address, and only if you choose it:
      </p>
      <form method="post" action="/account/email-choices" class="form" novalidate>
        <Checkbox
          name="announcements"
          checked={a.announcementsOptIn}
          label="Send me email announcements about the forums and Plimus services."
          hint="Off unless you turn it on. Every announcement has a link that turns it off at once."
        />
        <Checkbox
          name="optional_email_off"
          checked={a.optionalEmailOff}
          label="Send me no email at all but service notices."
          hint="This overrides every other choice here."
        />
        <fieldset>
          <legend>Notifications by email</legend>
          <p class="hint">
            When you are away: an email about a topic 10 minutes after the news, only if you have
            not read it on the forum by then, at most one per topic at a time and{' '}
            {NOTIFICATION_MAILS_PER_DAY} a day. Every one has a link that stops it at once.
          </p>
          {NOTIFICATION_KINDS.map((k) => (
            <Checkbox
              name={`email_${k}`}
              checked={a.emailKinds.includes(k)}
              label={`Email me about ${NOTIFICATION_KIND_LABELS[k]}`}
            />
          ))}
          <div class="field">
            <label for="digest">A summary of what is unread</label>
            <select id="digest" name="digest" aria-describedby="digest-hint">
              {DIGEST_CHOICES.map((d) => (
                <option value={d} selected={a.digest === d}>
                  {DIGEST_LABELS[d]}
                </option>
              ))}
            </select>
            <p class="hint" id="digest-hint">
              One email listing your unread notifications, when there are any.
            </p>
          </div>
        </fieldset>
        <div class="buttons">
          <button type="submit">Save email choices</button>
        </div>
      </form>
    </>
  );
}

function PasswordSection(p: AccountPageProps & { errors: FieldErrors }) {
  if (p.hasPassword) {
    return (
      <form method="post" action="/account/password" class="form" novalidate>
        <Field
          name="current_password"
          label="Current password"
          type="password"
          error={p.errors.current_password}
          autocomplete="current-password"
          required
        />
        <NewPasswordField error={p.errors.new_password} />
        <div class="buttons">
          <button type="submit">Change password</button>
        </div>
      </form>
    );
  }
  if (p.confirmation === 'fresh-sign-in') {
    return (
      <>
        <p>
          This account signs in with the Plimus identity and has no password here. You confirmed
          that it is you, so you can set one now; then you can also sign in with your username and
          password.
        </p>
        <form method="post" action="/account/password" class="form" novalidate>
          <NewPasswordField error={p.errors.new_password} />
          <div class="buttons">
            <button type="submit">Set password</button>
          </div>
        </form>
      </>
    );
  }
  return (
    <>
      <p>This account signs in with the Plimus identity and has no password here.</p>
      {p.plimusAvailable ? (
        <p>
          To set one, first confirm that it is you: a password is a new way into your account, so we
          ask for a fresh sign-in with Plimus. You come back here, and can set it within 10 minutes.{' '}
          <a href={REAUTHENTICATE_HREF}>Confirm with Plimus</a>
        </p>
      ) : (
        <p>
          Setting a password needs a fresh sign-in with Plimus, which is not available on this forum
          right now.
        </p>
      )}
    </>
  );
}

function NewPasswordField({ error }: { error: string | undefined }) {
  return (
    <Field
      name="new_password"
      label="New password"
      type="password"
      error={error}
      hint="At least 10 characters. Saving it signs you out everywhere else."
      autocomplete="new-password"
      required
      minlength={10}
    />
  );
}

function IdentitySection(p: AccountPageProps) {
  const id = p.account.identity;
  if (!id) {
    return (
      <>
        <p>Your account is not linked to a Plimus identity.</p>
        {p.plimusAvailable ? (
          <p>
            <a href="/auth/plimus">Link your Plimus identity</a> to sign in with it and to be
            recognised as vendor staff or as a buyer of the products you bought.
          </p>
        ) : (
          <p>Signing in with Plimus is not available on this forum right now.</p>
        )}
      </>
    );
  }
  return (
    <>
      <dl class="profile-facts">
        <dt>Linked to</dt>
        <dd>the Plimus identity at {id.issuerHost}</dd>
        <dt>Since</dt>
        <dd>
          <Time date={id.linkedAt} dateOnly />
        </dd>
        {id.vendorName ? (
          <>
            <dt>Vendor staff</dt>
            <dd>
              of {id.vendorName}
              {id.vendorClaimsExpired ? ' (not counting until you sign in with Plimus again)' : ''}
            </dd>
          </>
        ) : null}
        <dt>Purchases on record</dt>
        <dd>{id.purchaseCount.toLocaleString('en-US')}</dd>
      </dl>
      {id.vendorClaimsExpired ? (
        <p class="notice vendor-claims-expired">
          Your vendor staff status was last confirmed when you signed in with Plimus on{' '}
          <Time date={id.claimsConfirmedAt} dateOnly />, more than {id.vendorClaimsMaxAgeDays} days
          ago, so it does not count for now: no vendor dashboard, and no choosing answers as vendor
          staff.{' '}
          {p.plimusAvailable ? (
            <a href="/auth/plimus">Sign in with Plimus again</a>
          ) : (
            'Sign in with Plimus again'
          )}{' '}
          to confirm it.
        </p>
      ) : null}
      {p.canUnlink ? (
        <form method="post" action="/account/plimus/unlink" class="buttons">
          <button type="submit" class="button-secondary">
            Unlink your Plimus identity
          </button>
        </form>
      ) : (
        <p>
          Unlinking is not offered: this account has no password, so without the Plimus identity you
          could not sign in any more. Set a password first.
        </p>
      )}
    </>
  );
}

function Sessions({ sessions }: { sessions: AccountSession[] }) {
  return (
    <>
      <p>
        Each browser you signed in with: the name of the browser and its system, as the browser gave
        it when signing in, when it signed in and when it was last used. We do not keep IP addresses
        or locations.
      </p>
      <table class="sessions">
        <thead>
          <tr>
            <th scope="col">Browser</th>
            <th scope="col">Signed in</th>
            <th scope="col">Last used</th>
            <th scope="col">Kept signed in</th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <tr class={s.current ? 'current-session' : undefined}>
              <td>
                {s.device ?? 'Unknown browser'}
                {s.current ? <strong> (this browser)</strong> : null}
              </td>
              <td>
                <Time date={s.createdAt} />
              </td>
              <td>
                <Time date={s.lastUsedAt} />
              </td>
              <td>{s.remember ? 'Yes, for 30 days' : 'No, until the browser closes'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
