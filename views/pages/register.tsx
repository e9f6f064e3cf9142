import { Checkbox, ErrorSummary, Field, type FieldErrors } from '../components/form';
import { type Frame, Layout, withNext } from '../layouts/site';
import { PlimusSignIn } from './plimus';

export type RegisterPageProps = {
  frame: Frame;
  values: { username?: string; email?: string; age_confirmed?: boolean };
  errors: FieldErrors;
  /** the Plimus identity is configured: offer to sign in with it */
  plimus: boolean;
  /** the page of this forum to come back to once the account exists (already made safe) */
  next: string;
  /** the forum can email a link to reset a forgotten password */
  passwordReset: boolean;
};

/** Said of a password that was fine, since it is never sent back into the page. */
export const PASSWORD_AGAIN = 'Enter your password again: it is not kept when the form comes back.';

/**
 * The form's problems in the order of its fields; when the form comes back, a password that was
 * fine is asked for again, since it is never written back into the page.
 */
function inOrder(errors: FieldErrors): FieldErrors {
  const comesBack = Object.values(errors).some(Boolean);
  return {
    form: errors.form,
    username: errors.username,
    email: errors.email,
    password: errors.password ?? (comesBack ? PASSWORD_AGAIN : undefined),
    age_confirmed: errors.age_confirmed,
  };
}

export function RegisterPage({
  frame,
  values,
  errors: given,
  plimus,
  next,
  passwordReset,
}: RegisterPageProps) {
  const errors = inOrder(given);
  return (
    <Layout frame={frame} title="Join the forums" noindex>
      <h1>Join the forums</h1>
      <p class="lede">
        An account lets you start topics and reply. Your username and your posts are public; your
        email address is never shown.
      </p>
      {plimus ? <PlimusSignIn next={next} /> : null}
      <form method="post" action="/register" class="form" novalidate>
        <ErrorSummary errors={errors} />
        {next !== '/' ? <input type="hidden" name="next" value={next} /> : null}
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
        <Field
          name="email"
          label="Email address"
          type="email"
          value={values.email}
          error={errors.email}
          hint={
            passwordReset
              ? 'Never shown on the forums. Used to sign in, and to send you a link to reset your password if you forget it.'
              : 'Never shown on the forums. Used to sign in.'
          }
          autocomplete="email"
          required
        />
        <Field
          name="password"
          label="Password"
          type="password"
          error={errors.password}
          hint="At least 10 characters. Very common passwords are refused."
          autocomplete="new-password"
          required
          minlength={10}
        />
        <Checkbox
          name="age_confirmed"
          checked={values.age_confirmed}
          error={errors.age_confirmed}
          label="I am 13 or older."
          hint="The forums do not ask children under 13 for personal information. We do not ask or keep your birth date."
        />
        <p class="public-notice">
          What you post will be public. Read how the forums handle your data in the{' '}
          <a href="/privacy">privacy notice</a>.
        </p>
        <div class="buttons">
          <button type="submit">Create account</button>
        </div>
        <p>
          Already have an account? <a href={withNext('/login', next)}>Sign in</a>.
        </p>
      </form>
    </Layout>
  );
}
