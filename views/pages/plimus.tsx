/** Pages of signing in with the Plimus identity. */
import { PublicNotice } from '../components/composer';
import { Checkbox, ErrorSummary, Field, type FieldErrors } from '../components/form';
import { type Frame, Layout, withNext } from '../layouts/site';

export type CompleteSignupPageProps = {
  frame: Frame;
  name: string | undefined;
  values: { username: string; age_confirmed?: boolean; public_ack?: boolean };
  errors: FieldErrors;
};

/** A Plimus identity new to the forums chooses its public username. */
export function CompleteSignupPage({ frame, name, values, errors }: CompleteSignupPageProps) {
  return (
    <Layout frame={frame} title="Choose your username" noindex>
      <h1>Choose your username</h1>
      <p class="lede">
        {name ? `Welcome, ${name}. ` : 'Welcome. '}You signed in with Plimus for the first time.
        Choose the name shown with everything you post; your email address stays private.
      </p>
      <form method="post" action="/auth/plimus/complete" class="form" novalidate>
        <ErrorSummary errors={errors} />
        <Field
          name="username"
          label="Username"
          value={values.username}
          error={errors.username}
          hint="3 to 20 letters, digits, _ or -. Shown with everything you post."
          autocomplete="username"
          required
          maxlength={20}
        />
        <Checkbox
          name="age_confirmed"
          checked={values.age_confirmed}
          error={errors.age_confirmed}
          label="I am 13 or older."
          hint="We do not ask or keep your birth date."
        />
        <Checkbox
          name="public_ack"
          checked={values.public_ack}
          error={errors.public_ack}
          label="I understand that my posts are public: anyone can read them and search engines index them."
        />
        <PublicNotice what="Your username and your posts" />
        <div class="buttons">
          <button type="submit">Create my forum account</button>
        </div>
      </form>
    </Layout>
  );
}

export type PlimusNoticeKind =
  | 'email-in-use'
  | 'linked-elsewhere'
  | 'other-identity'
  | 'failed'
  | 'expired'
  | 'cancelled'
  | 'not-configured'
  | 'reauth-mismatch';

const NOTICES: Record<
  PlimusNoticeKind,
  { title: string; body: string; link?: { href: string; label: string } }
> = {
  'email-in-use': {
    title: 'You already have a forum account',
    body: 'A forum account uses the same email address as your Plimus identity. For your safety we never connect accounts by email address alone: sign in to that account with its password, then link your Plimus identity from Your account.',
    link: { href: '/login?next=%2Faccount', label: 'Sign in to your forum account' },
  },
  'linked-elsewhere': {
    title: 'This Plimus identity belongs to another account',
    body: 'The Plimus identity you signed in with is linked to a different forum account. One identity can be linked to one forum account only. Sign out, then sign in with Plimus to use that account.',
    link: { href: '/account', label: 'Back to your account' },
  },
  'other-identity': {
    title: 'Your account is linked to another Plimus identity',
    body: 'Unlink the current Plimus identity from Your account before linking a different one.',
    link: { href: '/account', label: 'Back to your account' },
  },
  failed: {
    title: 'Sign-in with Plimus failed',
    body: 'The answer from the Plimus identity did not pass our checks, so nobody was signed in. Please try again.',
    link: { href: '/auth/plimus', label: 'Try again' },
  },
  expired: {
    title: 'This sign-in has expired',
    body: 'The sign-in with Plimus took too long, or this page was opened twice. Nobody was signed in. Please start again.',
    link: { href: '/auth/plimus', label: 'Sign in with Plimus' },
  },
  cancelled: {
    title: 'Sign-in with Plimus was cancelled',
    body: 'Nobody was signed in.',
    link: { href: '/', label: 'Back to the forums' },
  },
  'not-configured': {
    title: 'Sign-in with Plimus is not available',
    body: 'This forum is not connected to a Plimus identity provider. You can still create a forum account with a password.',
    link: { href: '/register', label: 'Create an account' },
  },
  'reauth-mismatch': {
    title: 'That was a different Plimus identity',
    body: 'To confirm, sign in with the Plimus identity linked to this forum account.',
    link: { href: '/account', label: 'Back to your account' },
  },
};

export function PlimusNoticePage({ frame, kind }: { frame: Frame; kind: PlimusNoticeKind }) {
  const n = NOTICES[kind];
  return (
    <Layout frame={frame} title={n.title} noindex>
      <h1>{n.title}</h1>
      <p>{n.body}</p>
      {n.link ? (
        <p>
          <a href={n.link.href}>{n.link.label}</a>
        </p>
      ) : null}
    </Layout>
  );
}

/** Signing in (or joining) with the Plimus account people already have, back to `next`. */
export function PlimusSignIn({ next }: { next?: string | undefined }) {
  return (
    <div class="plimus-sign-in">
      <p>
        <a class="button" href={withNext('/auth/plimus', next)}>
          Sign in with Plimus
        </a>
      </p>
      <p class="hint">
        With the account you use on the Plimus marketplace. New to the forums? You choose a public
        username next; your email address stays private. Or use a forum password below.
      </p>
    </div>
  );
}
