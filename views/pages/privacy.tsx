import type { PrivacyRevision } from '../../src/content/privacy';
import { Time } from '../components/time';
import { type Frame, Layout } from '../layouts/site';

export function PrivacyPage({
  frame,
  revisions,
}: {
  frame: Frame;
  revisions: readonly PrivacyRevision[];
}) {
  const current = revisions[0];
  if (!current) throw new Error('no privacy notice revision');
  return (
    <Layout
      frame={frame}
      title="Privacy notice"
      description="What the Plimus Community Forums make public, what they collect and why, and what you can do about it."
    >
      <h1>Privacy notice</h1>
      <p class="lede">
        Version {current.version}, <Time date={new Date(`${current.date}T00:00:00Z`)} dateOnly />.
      </p>
      <p>
        These are the public forums and message boards of the Plimus software marketplace. This
        notice says, in plain words, how the forums apply the promises of the Plimus privacy policy.
      </p>

      <h2 id="public">What you post is public</h2>
      <p>
        Information posted in these forums becomes public knowledge. Topics, replies, your username,
        your display name, your bio, the date you joined and how many posts you wrote can be read by
        anyone on the internet, and search engines index them. Before your first post we ask you to
        confirm that you understand this, and we note the date you did. How many likes a post has is
        public too; who gave them is shown to signed-in members only.
      </p>
      <p>
        Please do not post personal information: not your email address, phone number or postal
        address, and not licence keys or order numbers. Staff of Plimus and of vendors will never
        ask you to post them.
      </p>
      <p>
        When you edit a post, the text you replaced is kept with it, so that moderators can see what
        changed; only you and the moderators can see earlier versions. Before a post is saved, the
        forums look for things that seem to be personal information (email addresses, phone numbers,
        payment card numbers, licence keys) and show them to you, so you can take them out.
      </p>
      <p>Your email address is never shown on the forums.</p>

      <h2 id="collected">What we collect, and why</h2>
      <ul>
        <li>
          <strong>Reading.</strong> Reading the forums needs no account and sets no cookie. We keep
          no record of who read what, with one exception you can see: when you are signed in, we
          note how far you have read each topic you open (the last post shown to you), so that lists
          can tell you how many posts are new and the topic can show where they start.
        </li>
        <li>
          <strong>Notifications.</strong> When someone replies in your topic, mentions or quotes
          you, accepts your answer or, as the vendor, answers your question, we note it for you
          (which post, when, and whether you have seen it) and show it at your notifications page.
          Your account page also gives a private address where a feed reader can follow them without
          an email address; anyone with that address can read them, so you can reset it. To a
          confirmed address we email replies to you, mentions, quotes, accepted answers and a
          vendor's answer to your question 10 minutes after they happen, only if you have not read
          them here by then, at most 20 a day; you choose each kind and an optional daily or weekly
          summary on your account page, and every such email has a link that stops it at once.
        </li>
        <li>
          <strong>Watching.</strong> We keep which topics and forums you watch, and at what level
          (watching, tracking, normal or muted; for a forum also its first posts only), so that we
          can tell you of new posts there or keep quiet. Your own new topics are watched and topics
          you reply in tracked unless you choose otherwise. We keep each until you change it, and
          erase them with your account.
        </li>
        <li>
          <strong>Your account.</strong> When you join we keep your username, your email address (to
          sign you in; never shown), your password as a scrypt hash (never the password itself), and
          the date you confirmed being 13 or older. We do not ask for your birth date.
        </li>
        <li>
          <strong>Signing in</strong> sets one cookie, holding only a random session key. It ends
          when you close your browser (or after a day without use), or after 30 days if you ask us
          to keep you signed in. We store a hash of the key, when the session started and when it
          was last used, and the name of the browser and system that signed in (such as “Firefox on
          Linux”), taken from what the browser says it is when you sign in, so that you can tell
          your sessions apart on your account page; nothing else of what it says is kept. Changing
          your password signs you out everywhere else.
        </li>
        <li id="kept-drafts">
          <strong>A reply sent after you were signed out</strong> (or a new topic) is kept for at
          most one hour, linked to no account, under a random key in a cookie of your browser, so
          that you can post it after signing in; it is deleted once posted, or when the hour is up.
        </li>
        <li>
          <strong>IP addresses</strong> are used only for geographic statistics and to slow down
          repeated sign-in attempts; the forums do not store them.
        </li>
      </ul>

      <h2 id="links">Links to other sites</h2>
      <p>
        Posts often link to other sites. Before you leave the forums, a page shows you where the
        link goes and reminds you that the other site is not operated by Plimus and has its own
        privacy policy, whose standards may differ from ours. We encourage you to read it. Images
        from other sites are shown as links, so that opening a topic tells no other site that you
        read it.
      </p>

      <h2 id="children">Children</h2>
      <p>
        The forums are not aimed at children. We never knowingly ask a child under 13 for personal
        information.
      </p>

      <h2 id="rights">Your data</h2>
      <p>
        You can see, correct, download and remove your own information yourself, on{' '}
        <a href="/account">your account page</a> once you are signed in. Changes take effect at
        once.
      </p>
      <ul>
        <li>
          <strong>See and correct.</strong> Your account page shows your display name, bio and email
          address, the Plimus identity linked to your account, and every browser where you are
          signed in (when it signed in and was last used; we keep no IP address or location). You
          can change your display name and bio, your password, and sign out everywhere else.
        </li>
        <li>
          <strong>Your email address.</strong> When you join we send a link to confirm it; until you
          open it we send the address only service notices. To change it, we send a link to the new
          address; the address changes only when you open that link, signed in, within 24 hours.
          Until then we keep the new address with the request, and nothing else.
        </li>
        <li>
          <strong>What we email you.</strong> Service notices come to any address on file: password
          resets, security notices, links to confirm an address, and changes of this notice. Email
          announcements are off unless you turn them on, and every announcement has a link that
          turns them off at once, without signing in; you can also turn off every email but service
          notices. Our emails have no tracking pixels or tracked links and load nothing from other
          sites. Once an email is sent, its text, links and your address are erased from our outbox;
          the record that it was sent (its kind and dates, no text) stays 30 days, and is in your
          download. If mail to your address is refused, your account page says so.
        </li>
        <li>
          <strong>Download.</strong> One click gives you a file with everything the forums hold
          about you: your profile and preferences, the dates you confirmed your age and that posts
          are public, every post you wrote with all its earlier versions, the topics you started,
          the reports you filed, the posts you liked, how far you read each topic, your
          notifications, the topics and forums you watch, your Plimus identity link and purchases on
          record, your sessions, and the records of the emails we sent you. Passwords and session
          keys are kept only as hashes, and are not in the file.
        </li>
        <li>
          <strong>Delete your account.</strong> After you confirm with your password (or, without
          one, by signing in with Plimus again), your account, email address, password, sessions,
          identity link and preferences are removed at once. You choose what happens to your posts:
          they either stay, shown as by “deleted user” with no link to you, or lose their text and
          earlier versions too and leave the search. Topics you started that nobody else posted in
          then disappear; topics others replied to keep their title. The likes you gave and how far
          you read each topic, your notifications and what you watch go with the account. For a year
          nobody else can take your username (we keep a keyed hash of it, not the name), so that
          posts that mentioned you never point at someone else. Reports you filed stay with the
          moderators without your name or note. What moderators did about your account stays in
          their log, about “deleted user”, without the reasons and notes they wrote.
        </li>
        <li>
          <strong>Deleting a suspended account</strong> does not end the suspension. Until it ends,
          and for a year at most, we keep a keyed hash of the account’s email address and one of its
          username: values made with a secret key, from which the address and the name cannot be
          read back, and which nothing else links to you. They let the forums refuse a new account
          with the same address or username before the suspension ends, with a message that says
          until when. Then they are deleted.
        </li>
      </ul>
      <p>
        If you need help with any of this, write to{' '}
        <a href="mailto:security@plimus.com">security@plimus.com</a>; we resolve problems within 2
        business days.
      </p>

      <h2 id="security">Security</h2>
      <p>
        The forums are served over encrypted connections. When information is deleted, the database
        overwrites it rather than leaving it behind.
      </p>

      <h2 id="changes">Changes to this notice</h2>
      <p>When this notice changes, a dated copy is posted here.</p>
      <ul class="revision-list">
        {revisions.map((r) => (
          <li>
            Version {r.version}, <Time date={new Date(`${r.date}T00:00:00Z`)} dateOnly />:{' '}
            {r.summary}
          </li>
        ))}
      </ul>
    </Layout>
  );
}
