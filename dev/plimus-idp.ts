/**
 * A development stand-in for the Plimus identity: a real OpenID Provider (oidc-provider) with a
 * few demo people, for local development and for the tests. It is never used in production and
 * refuses to start there.
 *
 * Its login page lists the demo people; choosing one signs in and grants the forum's scopes
 * (openid email profile plimus). Claims of scope `plimus`: plimus_vendor_id and
 * plimus_vendor_name for vendor staff, plimus_purchases (product ids) for everyone.
 *
 * For tests it can change a person's claims between sign-ins and tamper with the next ID token
 * it issues (re-signed with its own key, or with the signature left as it was).
 *
 * Like a real provider it keeps a session: a second sign-in from the same browser is answered
 * without the login page, unless the forum asks for a new authentication (`prompt=login`, or
 * `max_age`, honoured to the second: `max_age=0` always asks). Every ID token says when the person
 * signed in (`auth_time`).
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, interactionPolicy } from 'oidc-provider';

export type DevPerson = {
  sub: string;
  name: string;
  preferred_username: string;
  email: string;
  email_verified: boolean;
  plimus_vendor_id?: string;
  plimus_vendor_name?: string;
  plimus_purchases: string[];
  /** shown on the login page */
  about: string;
};

/** The demo people. The vendor and product ids match the forum's demo content (dev/demo.ts). */
export const DEV_PEOPLE: readonly DevPerson[] = [
  {
    sub: 'plimus-1001',
    name: 'Casey Customer',
    preferred_username: 'casey_customer',
    email: 'casey@customer.example',
    email_verified: true,
    plimus_purchases: ['product-acme-backup', 'product-pixelsmith-studio'],
    about: 'a customer who bought Acme Backup Pro and Pixelsmith Studio',
  },
  {
    sub: 'plimus-2001',
    name: 'Vera Vendor',
    preferred_username: 'vera_acme',
    email: 'vera@acme.example',
    email_verified: true,
    plimus_vendor_id: 'vendor-acme',
    plimus_vendor_name: 'Acme Software',
    plimus_purchases: [],
    about: 'staff of the vendor Acme Software',
  },
  {
    sub: 'plimus-3001',
    name: 'Nia Newcomer',
    preferred_username: 'nia_new',
    email: 'nia@newcomer.example',
    email_verified: true,
    plimus_purchases: [],
    about: 'a person without purchases',
  },
];

export type DevClient = { clientId: string; clientSecret: string; redirectUris: string[] };

export type DevIdentityProvider = {
  issuer: string;
  /** the people it knows, by sub; tests may change their claims between sign-ins */
  people: Map<string, DevPerson>;
  /**
   * Changes the next ID token the token endpoint returns. `resign: true` signs the changed token
   * with the provider's own key (a token the provider "really" issued with wrong claims);
   * otherwise the original signature stays (a tampered token).
   */
  tamperNextIdToken: (
    change: (claims: Record<string, unknown>) => Record<string, unknown>,
    opts: { resign: boolean },
  ) => void;
  close: () => Promise<void>;
};

export type DevIdpOptions = {
  clients: DevClient[];
  host?: string;
  port?: number;
  nodeEnv?: string;
  people?: readonly DevPerson[];
  /**
   * Tests only: accept control requests over HTTP (POST /__test/tamper, POST /__test/people to
   * change a person's claims, POST /__test/person to add a person), so that tests running in
   * another runtime (workerd) can steer the provider too.
   */
  testControl?: boolean;
};

/** What a control request may change in the next ID token. */
export type TamperRequest = { set: Record<string, unknown>; resign: boolean };

const page = (title: string, body: string) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.dev{background:#fff8c5;border:2px solid #d4a72c;padding:.75rem 1rem;border-radius:6px}
button{font:inherit;font-weight:600;padding:.5rem 1rem;margin:.25rem 0;cursor:pointer}
li{margin:.75rem 0}</style></head><body>${body}</body></html>`;

/**
 * oidc-provider's prompts, with `max_age` honoured to the second: its own check asks again only
 * once more than `max_age` whole seconds have passed, so `max_age=0` within the second of the
 * last sign-in would not ask.
 */
function loginPolicy() {
  const policy = interactionPolicy.base();
  policy.get('login')?.checks.add(
    new interactionPolicy.Check(
      'max_age_reached',
      'End-User authentication could not be obtained',
      (ctx) => {
        const { params, session, result } = ctx.oidc;
        if (params?.max_age === undefined || !session?.accountId || result?.login) {
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        }
        const elapsed = Math.floor(Date.now() / 1000) - (session.loginTs ?? 0);
        return elapsed >= Number(params.max_age)
          ? interactionPolicy.Check.REQUEST_PROMPT
          : interactionPolicy.Check.NO_NEED_TO_PROMPT;
      },
    ),
  );
  return policy;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Starts the provider on `port` (0: any free port).
 * @throws when NODE_ENV is production: this is a development tool
 */
export async function startDevIdentityProvider(opts: DevIdpOptions): Promise<DevIdentityProvider> {
  if ((opts.nodeEnv ?? process.env.NODE_ENV) === 'production') {
    throw new Error(
      'The development Plimus identity provider does not run with NODE_ENV=production.',
    );
  }
  const people = new Map((opts.people ?? DEV_PEOPLE).map((p) => [p.sub, { ...p }]));
  const host = opts.host ?? '127.0.0.1';

  // Listen first: the issuer URL needs the real port.
  let handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.statusCode = 503;
    res.end();
  };
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((ready) => server.listen(opts.port ?? 0, host, ready));
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = randomBytes(8).toString('hex');
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };

  const configuration: Configuration = {
    clients: opts.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      require_auth_time: true,
    })),
    jwks: { keys: [jwk as never] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    scopes: ['openid', 'email', 'profile', 'plimus'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'preferred_username'],
      plimus: ['plimus_vendor_id', 'plimus_vendor_name', 'plimus_purchases'],
    },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false }, userinfo: { enabled: true } },
    interactions: { policy: loginPolicy() },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    async findAccount(_ctx, sub) {
      const person = people.get(sub);
      if (!person) return undefined;
      return {
        accountId: sub,
        async claims() {
          const { about: _about, ...claims } = people.get(sub) ?? person;
          return claims;
        },
      };
    },
  };
  const provider = new Provider(issuer, configuration);
  const oidc = provider.callback();

  let tamper:
    | { change: (c: Record<string, unknown>) => Record<string, unknown>; resign: boolean }
    | undefined;

  function tamperToken(idToken: string, t: NonNullable<typeof tamper>): string {
    const [header, payload, signature] = idToken.split('.') as [string, string, string];
    const claims = t.change(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
    const changed = Buffer.from(JSON.stringify(claims)).toString('base64url');
    if (!t.resign) return `${header}.${changed}.${signature}`;
    const resigned = sign('sha256', Buffer.from(`${header}.${changed}`), privateKey).toString(
      'base64url',
    );
    return `${header}.${changed}.${resigned}`;
  }

  async function loginPage(req: IncomingMessage, res: ServerResponse, uid: string) {
    const details = await provider.interactionDetails(req, res);
    const list = [...people.values()]
      .map(
        (p) => `<li><form method="post" action="/interaction/${escapeHtml(uid)}/login">
<input type="hidden" name="sub" value="${escapeHtml(p.sub)}">
<button type="submit">Sign in as ${escapeHtml(p.name)}</button> <br>${escapeHtml(p.about)} (<code>${escapeHtml(p.sub)}</code>)</form></li>`,
      )
      .join('');
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(
      page(
        'Plimus identity (development)',
        `<p class="dev"><strong>Development only.</strong> This is a stand-in for the Plimus identity, for running the forums locally and for tests. It has no passwords: choose a demo person.</p>
<h1>Sign in to Plimus</h1><p>The forum <code>${escapeHtml(String(details.params.client_id))}</code> asks for your identity.</p><ul>${list}</ul>`,
      ),
    );
  }

  async function finishLogin(req: IncomingMessage, res: ServerResponse) {
    const form = await readForm(req);
    const sub = form.get('sub') ?? '';
    if (!people.has(sub)) {
      res.statusCode = 400;
      res.end('unknown person');
      return;
    }
    const details = await provider.interactionDetails(req, res);
    const grant = new provider.Grant({
      accountId: sub,
      clientId: String(details.params.client_id),
    });
    grant.addOIDCScope('openid email profile plimus');
    const grantId = await grant.save();
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: sub }, consent: { grantId } },
      {
        mergeWithLastSubmission: false,
      },
    );
  }

  function interceptToken(res: ServerResponse, t: NonNullable<typeof tamper>) {
    const chunks: Buffer[] = [];
    const end = res.end.bind(res);
    res.write = ((chunk: Buffer | string) => {
      chunks.push(Buffer.from(chunk));
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: Buffer | string) => {
      if (chunk) chunks.push(Buffer.from(chunk));
      const text = Buffer.concat(chunks).toString('utf8');
      let body = text;
      try {
        const json = JSON.parse(text) as { id_token?: string };
        if (json.id_token) json.id_token = tamperToken(json.id_token, t);
        body = JSON.stringify(json);
      } catch {
        // not JSON: pass through unchanged
      }
      res.setHeader('Content-Length', Buffer.byteLength(body));
      return end(body);
    }) as typeof res.end;
  }

  async function control(req: IncomingMessage, res: ServerResponse, what: string) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (what === 'tamper') {
      const t = body as TamperRequest;
      tamper = { change: (claims) => ({ ...claims, ...t.set }), resign: t.resign };
    } else if (what === 'people') {
      const { sub, patch } = body as {
        sub: string;
        patch: Partial<DevPerson> & Record<string, unknown>;
      };
      const person = people.get(sub);
      if (!person) {
        res.statusCode = 404;
        res.end();
        return;
      }
      const next: Record<string, unknown> = { ...person, ...patch };
      // null in a patch removes the claim
      for (const [k, v] of Object.entries(patch)) if (v === null) delete next[k];
      people.set(sub, next as DevPerson);
    } else if (what === 'person') {
      // A person of the test's own, so that no other test's sign-ins or changes meet it.
      const person = body as DevPerson;
      if (typeof person.sub !== 'string' || !person.sub || people.has(person.sub)) {
        res.statusCode = 409;
        res.end();
        return;
      }
      people.set(person.sub, { ...person });
    } else {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.statusCode = 204;
    res.end();
  }

  handler = (req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const controlPath = /^\/__test\/(tamper|people|person)$/.exec(url.pathname);
    if (opts.testControl && controlPath && req.method === 'POST') {
      control(req, res, controlPath[1] as string).catch((err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    const m = /^\/interaction\/([^/]+)(\/login)?$/.exec(url.pathname);
    const fail = (err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    };
    if (m && req.method === 'GET' && !m[2]) {
      loginPage(req, res, m[1] as string).catch(fail);
      return;
    }
    if (m && req.method === 'POST' && m[2]) {
      finishLogin(req, res).catch(fail);
      return;
    }
    if (url.pathname === '/token' && req.method === 'POST' && tamper) {
      interceptToken(res, tamper);
      tamper = undefined;
    }
    oidc(req, res);
  };

  return {
    issuer,
    people,
    tamperNextIdToken: (change, o) => {
      tamper = { change, resign: o.resign };
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
