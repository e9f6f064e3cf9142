/** "Forgot your password?", the page of a reset link, and the "this wasn't me" page. */
import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { type Frame, Layout } from '../layouts/site';

export type ForgotPasswordPageProps = {
  frame: Frame;
  /** the request was sent: the same answer whether or not an account matched */
  sent: boolean;
  /** the forum can send email */
  available: boolean;
  values: { login?: string };
  errors: FieldErrors;
};

export function ForgotPasswordPage(p: ForgotPasswordPageProps) {
  return (
    <Layout frame={p.frame} title="Forgot your password?" noindex>
      <h1>Forgot your password?</h1>
      {p.sent ? (
        <p class="notice notice-ok" role="status">
          If an account has that username or email address, we sent a link to its email address. It
          works for an hour. Nothing arrived? Look in your spam folder, or ask again in a few
          minutes.
        </p>
      ) : null}
      {p.available ? (
        <form method="post" action="/password/forgot" class="form" novalidate>
          <ErrorSummary errors={p.errors} />
          <Field
            name="login"
            label="Username or email address"
            value={p.values.login}
            error={p.errors.login}
            hint="We email a link to choose a new password to the account's address."
            autocomplete="username"
            required
            maxlength={254}
          />
          <div class="buttons">
            <button type="submit">Email me a link</button>
          </div>
        </form>
      ) : (
        <p>
          Resetting a password by email is not available on this forum: it cannot send email at the
          moment.
        </p>
      )}
      <p>
        Remembered it? <a href="/login">Sign in</a>. An account made with Plimus signs in with
        Plimus: reset your Plimus password on the Plimus sign-in page.
      </p>
    </Layout>
  );
}

export function ResetPasswordPage({ frame, errors }: { frame: Frame; errors: FieldErrors }) {
  return (
    <Layout frame={frame} title="Choose a new password" noindex>
      <h1>Choose a new password</h1>
      <form method="post" action="/password/reset" class="form" novalidate>
        <ErrorSummary errors={errors} />
        <Field
          name="new_password"
          label="New password"
          type="password"
          error={errors.new_password}
          hint="At least 10 characters; very common passwords are refused. Saving it signs your account out everywhere; then sign in with it."
          autocomplete="new-password"
          required
          minlength={10}
        />
        <div class="buttons">
          <button type="submit">Save the new password</button>
        </div>
      </form>
    </Layout>
  );
}

/** "This wasn't me": what the link does, and a button to do it (link scanners only GET). */
export function NotMePage({ frame, token }: { frame: Frame; token: string }) {
  return (
    <Layout frame={frame} title="Someone else changed your password?" noindex>
      <h1>Someone else changed your password?</h1>
      <p>
        This signs your account out everywhere, in every browser, and stops any reset link that is
        still waiting. Then ask for a new reset link to choose a password only you know.
      </p>
      <form method="post" action={`/password/not-me/${token}`} class="buttons">
        <button type="submit" class="button-danger">
          Sign my account out everywhere
        </button>
      </form>
    </Layout>
  );
}
