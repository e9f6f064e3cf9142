/**
 * The version of the forum's privacy notice (/privacy). When the notice changes in substance,
 * add an entry at the top: signed-in people see a dated banner until they dismiss it.
 */
export type PrivacyRevision = { version: string; date: string; summary: string };

export const PRIVACY_REVISIONS: readonly PrivacyRevision[] = [
  {
    version: '1.4',
    date: '2026-12-02',
    summary:
      'Adds reading state: when you are signed in, the forums note how far you have read each topic you open (the last post shown to you), so that lists can say how many posts are new and the topic can show where they start. Nothing is noted for visitors who are not signed in. It is in your download and is erased with your account. Adds notifications: when someone replies in your topic, mentions or quotes you, accepts your answer or, as the vendor, answers your question, the forums note it for you at /notifications (and at a private feed address you can reset from your account page); they are in your download and are erased with your account. Adds kept drafts: a reply or topic sent after your session ended is kept for at most an hour, under a random key in a cookie and linked to no account, so that you can sign in and post it; it is deleted once posted or after the hour. Each session now keeps the name of the browser and system that signed in (such as \u201cFirefox on Linux\u201d), read from what the browser says it is at sign-in, so that your account page can tell your sessions apart. Nothing else of what the browser says is kept. It is in your download and goes with the session, or with your account. Adds watching: the forums keep which topics and forums you watch, and at what level (watching, tracking, normal or muted), so that you can be told of new posts there or not at all; they are kept until you change them, are in your download and are erased with your account. Adds notifications by email: to a confirmed address, the forums email you about replies to you, mentions, quotes, accepted answers and a vendor answering your question, 10 minutes after it happens and only if you have not read it on the forums by then (at most 20 a day); you choose each kind, and an optional daily or weekly summary, on your account page, and every such email has a one-click link that stops it. Your choices are in your download and are erased with your account.',
  },
  {
    version: '1.3',
    date: '2026-12-02',
    summary:
      'Describes the emails the forums send: a link to confirm your address, password resets, service notices such as this one (to any address on file), and announcements only if you choose them, each with a one-click link to stop them; no tracking; what an email leaves in our records (its kind and dates, for 30 days). Says what deleting an account keeps: what moderators did about it stays in their log, about \u201cdeleted user\u201d and without their reasons and notes; and when the account is suspended, a keyed hash of its email address and of its username, until the suspension ends (a year at most), so that nobody joins again with them before then. Adds likes: the number of likes a post has is public, signed-in members see who liked it, and the likes you give are in your download and are erased with your account. Adds @mentions, and keeps the username of a deleted account from anyone else for a year (as a keyed hash), so that old mentions never point at someone else.',
  },
  {
    version: '1.2',
    date: '2026-11-25',
    summary:
      'Describes what you can do yourself on your account page: change your profile and email address (confirmed by a link), choose email announcements, see and end your sessions, download all your data, and delete your account with or without your posts.',
  },
  {
    version: '1.1',
    date: '2026-11-25',
    summary:
      'Describes accounts, the sign-in cookie, the one-time acknowledgement that posts are public, the personal-information check, and who can see earlier versions of edited posts.',
  },
  {
    version: '1.0',
    date: '2026-11-25',
    summary: 'First version of the forums privacy notice.',
  },
];

export const CURRENT_PRIVACY = PRIVACY_REVISIONS[0] as PrivacyRevision;
