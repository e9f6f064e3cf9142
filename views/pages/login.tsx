import type { DemoSignIns } from '../../src/context';
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
  /** a development forum: the demo people one can sign in as */
  demo?: DemoSignIns | undefined;
};

export function LoginPage({ frame, values, next, errors, plimus, notice, demo }: LoginPageProps) {
  return (
    <Layout frame={frame} title="Sign in" noindex>
      <h1>Sign in</h1>
      {notice ? (
        <p class="notice notice-ok" role="status">
          {notice}
        </p>
      ) : null}
      {demo && (demo.plimus.length > 0 || demo.staff.length > 0) ? (
        <DemoPeople demo={demo} plimus={plimus} />
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

const ROLE_NAMES = { moderator: 'a moderator', admin: 'an administrator' } as const;

/** Who a development forum's visitors can be, and how to sign in as them. */
function DemoPeople({ demo, plimus }: { demo: DemoSignIns; plimus: boolean }) {
  return (
    <section class="notice demo-people" aria-labelledby="demo-people-title">
      <h2 id="demo-people-title">Demo people of this development forum</h2>
      {plimus && demo.plimus.length > 0 ? (
        <>
          <p>
            With <strong>Sign in with Plimus</strong>, choose one on the development identity
            provider's page:
          </p>
          <ul>
            {demo.plimus.map((p) => (
              <li>
                <strong>{p.name}</strong>: {p.about}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {demo.staff.length > 0 ? (
        <>
          <p>
            With a password, printed where the forum was started (the terminal of{' '}
            <code>npm start</code>):
          </p>
          <ul>
            {demo.staff.map((s) => (
              <li>
                <strong>{s.username}</strong>, {ROLE_NAMES[s.role]}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
