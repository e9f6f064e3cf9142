/**
 * What each email says. Every message has a text part; an announcement also has an HTML part
 * (the post as cooked for the forum). No tracking pixels, no click-tracking redirects, no images
 * from other sites, and every link points to the forum's own address: links to other sites go
 * through its /out page, as on the forum.
 */
import type { PrivacyRevision } from '../content/privacy';

export type Message = {
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
};

const FORUM = 'Plimus Community Forums';

/** `2026-11-20 13:00 UTC` */
const utc = (at: number) => `${new Date(at).toISOString().replace('T', ' ').slice(0, 16)} UTC`;

const lines = (...parts: (string | false | undefined)[]) =>
  `${parts.filter((p) => p !== false && p !== undefined).join('\n')}\n`;

const footer = (origin: string) => [
  '',
  '-- ',
  `${FORUM}: ${origin}/`,
  `Your email choices: ${origin}/account#email-choices-title`,
];

/** A link to confirm an address, and how long it works. */
const confirmationLink = (origin: string, token: string, expiresAt: number) => [
  `${origin}/account/email/confirm?token=${token}`,
  '',
  `The link works for 24 hours, until ${utc(expiresAt)}.`,
];

export function emailConfirmation(
  origin: string,
  username: string,
  token: string,
  expiresAt: number,
): Message {
  return {
    subject: `Confirm your email address for the ${FORUM}`,
    text: lines(
      `This address was given for the account ${username} on the ${FORUM}.`,
      '',
      'To confirm that it is yours, open this link:',
      ...confirmationLink(origin, token, expiresAt),
      'The account works already. Until the address is confirmed, we send it only service notices (password resets, security notices, changes of the privacy notice), no announcements.',
      'If you did not create this account, ignore this message.',
      ...footer(origin),
    ),
  };
}

export function emailChange(
  origin: string,
  username: string,
  token: string,
  expiresAt: number,
): Message {
  return {
    subject: `Confirm your new email address for the ${FORUM}`,
    text: lines(
      `Someone signed in as ${username} on the ${FORUM} asked to use this email address for their account.`,
      '',
      'To confirm, open this link while signed in to the forums:',
      ...confirmationLink(origin, token, expiresAt),
      'If it was not you, ignore this message: nothing changes.',
      ...footer(origin),
    ),
  };
}

/** To an address another account asked for: it belongs to this account already. */
export function emailInUse(origin: string, requester: string | null): Message {
  return {
    subject: `Someone tried to use your email address on the ${FORUM}`,
    text: lines(
      requester
        ? `Someone signed in as ${requester} on the ${FORUM} asked to use this email address for their account.`
        : `Someone signed in on the ${FORUM} asked to use this email address for their account.`,
      '',
      'This address already belongs to a forum account, so nothing changed: no other account can take it.',
      `If it was you, you already have an account with this address: sign in to it at ${origin}/login.`,
      'If it was not you, ignore this message.',
      ...footer(origin),
    ),
  };
}

export function passwordReset(
  origin: string,
  username: string,
  token: string,
  expiresAt: number,
): Message {
  return {
    subject: `Reset your password on the ${FORUM}`,
    text: lines(
      `Someone asked to reset the password of the account ${username} on the ${FORUM}.`,
      '',
      'To choose a new password, open this link:',
      `${origin}/password/reset?token=${token}`,
      '',
      `The link works once, for an hour, until ${utc(expiresAt)}. A newer request replaces it.`,
      'If it was not you, ignore this message: your password stays as it is.',
      ...footer(origin),
    ),
  };
}

/** A reset asked for an account that has no password here: it signs in with Plimus. */
export function passwordResetPlimus(origin: string, username: string): Message {
  return {
    subject: `Your ${FORUM} account signs in with Plimus`,
    text: lines(
      `Someone asked to reset the password of the account ${username} on the ${FORUM}.`,
      '',
      'This account has no password on the forums: it signs in with your Plimus identity. If you forgot your Plimus password, reset it at Plimus: choose "Sign in with Plimus" on the forums and follow the Plimus sign-in page\'s "Forgot your password?".',
      `Sign in with Plimus: ${origin}/auth/plimus`,
      '',
      'If it was not you, ignore this message: nothing changed.',
      ...footer(origin),
    ),
  };
}

export function passwordChanged(
  origin: string,
  username: string,
  changedAt: number,
  notMeToken: string,
): Message {
  return {
    subject: `The password of your ${FORUM} account was changed`,
    text: lines(
      `The password of the account ${username} on the ${FORUM} was changed with a reset link on ${utc(changedAt)}.`,
      'Every session of the account was signed out.',
      '',
      'If this was you, there is nothing to do.',
      'If this was not you, open this link to sign the account out everywhere again, then ask for a new reset link:',
      `${origin}/password/not-me/${notMeToken}`,
      ...footer(origin),
    ),
  };
}

export function policyChange(origin: string, revision: PrivacyRevision): Message {
  return {
    subject: `The privacy notice of the ${FORUM} changed (version ${revision.version} of ${revision.date})`,
    text: lines(
      `On ${revision.date} the privacy notice of the ${FORUM} changed to version ${revision.version}.`,
      '',
      'What changed:',
      revision.summary,
      '',
      `Read it: ${origin}/privacy`,
      '',
      'We send this notice to every registered member, as the Plimus privacy policy promises.',
      ...footer(origin),
    ),
  };
}

export type AnnouncementFacts = {
  title: string;
  forumName: string;
  /** the topic's address */
  url: string;
  /** the first post as cooked for the forum (sanitized HTML) */
  html: string;
};

/**
 * An announcement, with the one-click unsubscribe headers of RFC 8058: a POST to the link stops
 * announcements without signing in.
 */
export function announcement(
  origin: string,
  a: AnnouncementFacts,
  /** one-click links that stop announcements, or every email but service notices */
  stop: { announcements: string; all: string },
): Message {
  const unsubscribeUrl = stop.announcements;
  const body = absoluteLinks(a.html, origin);
  return {
    subject: `${a.title} (${FORUM})`,
    text: lines(
      `${a.title}`,
      `An announcement in ${a.forumName} on the ${FORUM}`,
      '',
      htmlToText(body),
      '',
      `Read it and reply on the forums: ${a.url}`,
      '',
      'You get announcements because you chose them on your account page.',
      `Stop announcements: ${unsubscribeUrl}`,
      `Stop every email but service notices: ${stop.all}`,
      ...footer(origin),
    ),
    html: `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(a.title)}</title></head><body>
<h1>${escapeHtml(a.title)}</h1>
<p>An announcement in ${escapeHtml(a.forumName)} on the ${FORUM}</p>
${body}
<p><a href="${escapeHtml(a.url)}">Read it and reply on the forums</a></p>
<hr>
<p>You get announcements because you chose them on your account page. <a href="${escapeHtml(unsubscribeUrl)}">Stop announcements</a> · <a href="${escapeHtml(stop.all)}">Stop every email but service notices</a> · <a href="${escapeHtml(origin)}/account#email-choices-title">Your email choices</a></p>
</body></html>
`,
    headers: {
      'List-Unsubscribe': `<${unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
  };
}

/** One-click links of a notification email: what each stops. */
export type NotificationStops = {
  /** email about this topic (the topic is muted) */
  topic?: string;
  /** email of each kind told of */
  kinds: { label: string; url: string }[];
  /** the summary (for a summary) */
  digest?: string;
  all: string;
};

/** The lines that end a notification email: why it came and how to stop it. */
function notificationFooter(origin: string, why: string, stops: NotificationStops) {
  return [
    '',
    why,
    stops.topic && `Stop email about this topic: ${stops.topic}`,
    ...stops.kinds.map((k) => `Stop email about ${k.label}: ${k.url}`),
    stops.digest && `Stop the summary: ${stops.digest}`,
    `Stop every email but service notices: ${stops.all}`,
    ...footer(origin),
  ];
}

const oneClick = (url: string) => ({
  'List-Unsubscribe': `<${url}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
});

/** What came in one topic while the person was away. */
export function notificationMail(
  origin: string,
  n: { topicTitle: string; items: { text: string; url: string }[] },
  stops: NotificationStops & { topic: string },
): Message {
  const [first] = n.items;
  return {
    subject:
      n.items.length === 1 && first
        ? `${first.text} (${FORUM})`
        : `${n.items.length} notifications in ${n.topicTitle} (${FORUM})`,
    text: lines(
      ...n.items.flatMap((i) => [i.text, i.url, '']),
      `All your notifications: ${origin}/notifications`,
      ...notificationFooter(
        origin,
        'You get this email because you were away when it happened; what you read on the forum in the meantime is not sent.',
        stops,
      ),
    ),
    headers: oneClick(stops.topic),
  };
}

/** The summary of what is unread. */
export function notificationDigest(
  origin: string,
  n: { every: 'daily' | 'weekly'; items: { text: string; url: string }[] },
  stops: NotificationStops & { digest: string },
): Message {
  return {
    subject: `${n.items.length === 1 ? '1 unread notification' : `${n.items.length} unread notifications`} (${FORUM})`,
    text: lines(
      `Unread on the ${FORUM} since your last summary:`,
      '',
      ...n.items.flatMap((i) => [i.text, i.url, '']),
      `All your notifications: ${origin}/notifications`,
      ...notificationFooter(
        origin,
        `You get this ${n.every} summary because you chose it on your account page.`,
        stops,
      ),
    ),
    headers: oneClick(stops.digest),
  };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#0?39;|&#x27;|&apos;/gi, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

/**
 * Every link of cooked HTML made absolute on the forum's origin: the forum's own paths (its /out
 * page included) get the origin; a direct link elsewhere (a house host) goes through /out, so
 * that a mail never links anywhere but the forum. Mail links stay.
 */
function absoluteLinks(html: string, origin: string): string {
  return html.replace(/ href="([^"]*)"/g, (_whole, href: string) => {
    if (href.startsWith('/')) return ` href="${origin}${href}"`;
    const url = decode(href);
    if (url.startsWith('mailto:') || url.startsWith(`${origin}/`)) return ` href="${href}"`;
    return ` href="${escapeHtml(`${origin}/out?url=${encodeURIComponent(url)}`)}"`;
  });
}

/**
 * The text of cooked (sanitized) HTML for the text part: paragraphs and list items on lines of
 * their own, each link's address after its words.
 */
function htmlToText(html: string): string {
  return decode(
    html
      .replace(/<a [^>]*href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g, (_w, href: string, label: string) =>
        label.replace(/<[^>]*>/g, '') === decode(href) ? href : `${label} (${href})`,
      )
      .replace(/<li[^>]*>/g, '- ')
      .replace(/<br\s*\/?>/g, '\n')
      .replace(/<\/(p|li|h[1-6]|blockquote|pre|tr|ul|ol|table)>/g, '\n\n')
      .replace(/<[^>]*>/g, ''),
  )
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
