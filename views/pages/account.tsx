import { ErrorSummary, Field, type FieldErrors } from '../components/form';
import { type Frame, Layout } from '../layouts/site';

export type AccountPageProps = {
  frame: Frame;
  username: string;
  notice?: string | undefined;
  passwordErrors: FieldErrors;
  hasPassword: boolean;
};

/** The signed-in person's own account. */
export function AccountPage(p: AccountPageProps) {
  return (
    <Layout frame={p.frame} title="Your account" noindex>
      <h1>Your account</h1>
      {p.notice ? (
        <p class="notice notice-ok" role="status">
          {p.notice}
        </p>
      ) : null}
      <p>
        Signed in as <a href={`/u/${p.username}`}>{p.username}</a>.
      </p>
      <section aria-labelledby="password-title">
        <h2 id="password-title">Password</h2>
        {p.hasPassword ? (
          <form method="post" action="/account/password" class="form" novalidate>
            <ErrorSummary errors={p.passwordErrors} />
            <Field
              name="current_password"
              label="Current password"
              type="password"
              error={p.passwordErrors.current_password}
              autocomplete="current-password"
              required
            />
            <Field
              name="new_password"
              label="New password"
              type="password"
              error={p.passwordErrors.new_password}
              hint="At least 10 characters. Changing it signs you out everywhere else."
              autocomplete="new-password"
              required
              minlength={10}
            />
            <div class="buttons">
              <button type="submit">Change password</button>
            </div>
          </form>
        ) : (
          <p>This account signs in with the Plimus identity and has no password here.</p>
        )}
      </section>
    </Layout>
  );
}
