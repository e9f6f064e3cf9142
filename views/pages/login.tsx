import { Checkbox, ErrorSummary, Field, type FieldErrors } from '../components/form';
import { type Frame, Layout, withNext } from '../layouts/site';
import { PlimusSignIn } from './plimus';

export type LoginPageProps = {
  frame: Frame;
  values: { login?: string; remember?: boolean };
  next: string | undefined;
  errors: FieldErrors;
  /** the Plimus identity is configured: offer to sign in with it */
  plimus: boolean;
  /** what just happened (a password was reset) */
  notice?: string | undefined;
};

export function LoginPage({ frame, values, next, errors, plimus, notice }: LoginPageProps) {
  return (
    <Layout frame={frame} title="Sign in" noindex>
      <h1>Sign in</h1>
      {notice ? (
        <p class="notice notice-ok" role="status">
          {notice}
        </p>
      ) : null}
      {plimus ? <PlimusSignIn next={next} /> : null}
      <form method="post" action="/login" class="form" novalidate>
        <ErrorSummary errors={errors} />
        {next && next !== '/' ? <input type="hidden" name="next" value={next} /> : null}
        <Field
          name="login"
          label="Username or email address"
          value={values.login}
          error={errors.login}
          autocomplete="username"
          required
        />
        <Field
          name="password"
          label="Password"
          type="password"
          error={errors.password}
          autocomplete="current-password"
          required
        />
        <Checkbox
          name="remember"
          checked={values.remember}
          label="Keep me signed in on this device"
          hint="For 30 days. Otherwise you are signed out when you close the browser, or after a day without use."
        />
        <div class="buttons">
          <button type="submit">Sign in</button>
        </div>
        <p>
          <a href="/password/forgot">Forgot your password?</a>
        </p>
        <p>
          New here? <a href={withNext('/register', next)}>Create an account</a>.
        </p>
      </form>
    </Layout>
  );
}
