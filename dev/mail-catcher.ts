/**
 * A development mail catcher: a real SMTP server (smtp-server) that keeps every message it is
 * sent, parsed with a MIME parser (mailparser), and a small page that lists them (subject,
 * recipient, text with its links, the raw message). `npm start` and `npm run dev` start it beside
 * the forum when SMTP_URL is not set; the tests use it as the SMTP server that receives the
 * forum's mail, and can make it refuse mail for a while. It refuses to start in production.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type CaughtMail = {
  /** 1, 2, 3… in the order of arrival */
  id: number;
  receivedAt: Date;
  /** the envelope's recipients */
  to: string[];
  raw: string;
  parsed: ParsedMail;
};

/** An SMTP refusal: a reply code (4xx: try later, 5xx: never) and its text. */
export type Refusal = { code: number; message: string };

export type MailCatcher = {
  /** where the forum sends: smtp://127.0.0.1:<port> */
  smtpUrl: string;
  /** the page that lists the messages, when one was asked for */
  url: string | undefined;
  messages: CaughtMail[];
  /** refuses every message from now on (`null`: accepts again) */
  refuse(refusal: Refusal | null): void;
  /** resolves once `count` messages have arrived */
  waitFor(count: number, timeoutMs?: number): Promise<CaughtMail[]>;
  close(): Promise<void>;
};

export type MailCatcherOptions = {
  host?: string;
  /** the page's port (0: any free one); no page at all when absent */
  pagePort?: number;
  nodeEnv?: string;
  /** messages kept at most (the oldest go first) */
  keep?: number;
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Escaped text with its web links clickable. */
const linkify = (text: string) =>
  escapeHtml(text).replace(/https?:\/\/[^\s<>"']+/g, (url) => `<a href="${url}">${url}</a>`);

const page = (title: string, body: string) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
.dev{background:#fff8c5;border:2px solid #d4a72c;padding:.75rem 1rem;border-radius:6px}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}
pre{white-space:pre-wrap;background:#f6f8fa;padding:1rem;border-radius:6px}dt{font-weight:600}dd{margin:0 0 .5rem}</style>
</head><body><p class="dev"><strong>Development only.</strong> A mail catcher: the forum's email ends up here instead of in anyone's mailbox.</p>${body}</body></html>`;

const addresses = (m: CaughtMail) => m.to.join(', ');

function listPage(messages: CaughtMail[]): string {
  const rows = [...messages]
    .reverse()
    .map(
      (m) =>
        `<tr><td>${escapeHtml(m.receivedAt.toISOString().replace('T', ' ').slice(0, 19))}</td><td>${escapeHtml(addresses(m))}</td><td><a href="/m/${m.id}">${escapeHtml(m.parsed.subject ?? '(no subject)')}</a></td></tr>`,
    )
    .join('');
  return page(
    'Mail catcher',
    `<h1>Caught mail</h1><p>${messages.length} ${messages.length === 1 ? 'message' : 'messages'}, newest first. <a href="/">Refresh</a></p>
<table><thead><tr><th scope="col">Received (UTC)</th><th scope="col">To</th><th scope="col">Subject</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}

function messagePage(m: CaughtMail): string {
  const header = (name: string) => {
    const v = m.parsed.headers.get(name.toLowerCase());
    if (v === undefined) return '';
    const text =
      typeof v === 'string'
        ? v
        : 'text' in (v as object)
          ? String((v as { text: unknown }).text)
          : JSON.stringify(v);
    return `<dt>${escapeHtml(name)}</dt><dd>${escapeHtml(text)}</dd>`;
  };
  return page(
    m.parsed.subject ?? 'Message',
    `<p><a href="/">All caught mail</a></p><h1>${escapeHtml(m.parsed.subject ?? '(no subject)')}</h1>
<dl><dt>To</dt><dd>${escapeHtml(addresses(m))}</dd>${['From', 'Date', 'Message-ID', 'List-Unsubscribe', 'List-Unsubscribe-Post'].map(header).join('')}</dl>
<h2>Text</h2><pre class="mail-text">${linkify(m.parsed.text ?? '')}</pre>
${m.parsed.html ? `<p><a href="/m/${m.id}/html">The HTML part</a> (shown without scripts or remote content)</p>` : ''}
<p><a href="/m/${m.id}/raw">The raw message</a></p>`,
  );
}

/**
 * Starts the catcher: the SMTP server on a free port, and the page on `pagePort` when given.
 * @throws when NODE_ENV is production: this is a development tool
 */
export async function startMailCatcher(opts: MailCatcherOptions = {}): Promise<MailCatcher> {
  if ((opts.nodeEnv ?? process.env.NODE_ENV) === 'production') {
    throw new Error('The development mail catcher does not run with NODE_ENV=production.');
  }
  const host = opts.host ?? '127.0.0.1';
  const keep = opts.keep ?? 1000;
  const messages: CaughtMail[] = [];
  const waiting: { count: number; done: () => void }[] = [];
  let refusal: Refusal | null = null;
  let next = 1;

  const smtp = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    // Closing waits for the forum's kept connections only this long.
    closeTimeout: 500,
    onRcptTo(_address, _session, callback) {
      if (!refusal) return callback();
      const err = Object.assign(new Error(refusal.message), { responseCode: refusal.code });
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw).then(
          (parsed) => {
            messages.push({
              id: next++,
              receivedAt: new Date(),
              to: session.envelope.rcptTo.map((a) => a.address),
              raw,
              parsed,
            });
            if (messages.length > keep) messages.splice(0, messages.length - keep);
            for (const w of [...waiting]) {
              if (next - 1 >= w.count) {
                waiting.splice(waiting.indexOf(w), 1);
                w.done();
              }
            }
            callback();
          },
          (err: Error) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((ready, failed) => {
    smtp.once('error', failed);
    smtp.listen(0, host, () => {
      smtp.off('error', failed);
      ready();
    });
  });
  // A client that goes away mid-message (a server killed while it sends) only ends its session.
  smtp.on('error', () => {});
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  let web: Server | undefined;
  let url: string | undefined;
  if (opts.pagePort !== undefined) {
    web = createServer((req: IncomingMessage, res: ServerResponse) => {
      const path = new URL(req.url ?? '/', 'http://catcher').pathname;
      const m = /^\/m\/(\d+)(\/raw|\/html)?$/.exec(path);
      const mail = m ? messages.find((x) => x.id === Number(m[1])) : undefined;
      res.setHeader('Cache-Control', 'no-store');
      if (req.method !== 'GET') {
        res.statusCode = 405;
        res.end();
      } else if (path === '/') {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(listPage(messages));
      } else if (mail && m?.[2] === '/raw') {
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end(mail.raw);
      } else if (mail && m?.[2] === '/html' && mail.parsed.html) {
        // The message's own HTML, in a sandbox: no scripts, nothing loaded from anywhere.
        res.setHeader(
          'Content-Security-Policy',
          "sandbox; default-src 'none'; style-src 'unsafe-inline'",
        );
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(mail.parsed.html);
      } else if (mail && !m?.[2]) {
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(messagePage(mail));
      } else {
        res.statusCode = 404;
        res.setHeader('Content-Type', 'text/html; charset=utf-8');
        res.end(
          page('Not found', '<h1>No such message</h1><p><a href="/">All caught mail</a></p>'),
        );
      }
    });
    const server = web;
    try {
      await new Promise<void>((ready, failed) => {
        server.once('error', failed);
        server.listen(opts.pagePort, host, () => {
          server.off('error', failed);
          ready();
        });
      });
    } catch (err) {
      await new Promise<void>((done) => smtp.close(() => done()));
      throw err;
    }
    url = `http://${host}:${(web.address() as AddressInfo).port}`;
  }

  return {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    url,
    messages,
    refuse(r) {
      refusal = r;
    },
    waitFor(count, timeoutMs = 10_000) {
      if (next - 1 >= count) return Promise.resolve(messages);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the mail catcher got ${next - 1} of ${count} messages`)),
          timeoutMs,
        );
        waiting.push({
          count,
          done: () => {
            clearTimeout(timer);
            resolve(messages);
          },
        });
      });
    },
    close: async () => {
      await new Promise<void>((done) => smtp.close(() => done()));
      if (web) {
        const server = web;
        await new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        });
      }
    },
  };
}
