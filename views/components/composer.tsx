import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { type Finding, KIND_LABELS, splitByFindings } from '../../src/content/personal-data';
import type { BuyerBadgeChoice } from '../../src/services/badges';
import { Checkbox, ErrorSummary, type FieldErrors } from './form';

/** Said next to every button that publishes something, and nowhere else on its page. */
export function PublicNotice({
  id = 'public-notice',
  what = 'Your post',
}: {
  id?: string;
  what?: string;
}) {
  return (
    <p class="public-notice" id={id}>
      <strong>{what} will be public:</strong> anyone on the internet can read it, and search engines
      index it. Do not include personal information such as email addresses, phone numbers, postal
      addresses, licence keys or order numbers.{' '}
      <a href="/privacy#public">How the forums handle your data</a>
    </p>
  );
}

export type ComposerProps = {
  action: string;
  submitLabel: string;
  body: string;
  errors: FieldErrors;
  /** the author has never acknowledged that posts are public: ask once */
  askPublicAck: boolean;
  publicAck?: boolean;
  /** cooked HTML of the draft, when Preview was pressed */
  previewHtml?: string | undefined;
  /** personal data found in the draft */
  findings?: Finding[] | undefined;
  /** fields above the body (a new topic's title and kind) */
  before?: Child;
  /** in a product forum, for people who bought the product: the verified-buyer badge box */
  buyerBadge?: BuyerBadgeChoice | null | undefined;
  cancelHref?: string;
};

/**
 * The form for writing a post, used for new topics, replies and edits. Works without JavaScript:
 * Preview and Post anyway are submit buttons of the same form.
 */
export function Composer(p: ComposerProps) {
  return (
    <form
      method="post"
      action={p.action}
      class={p.previewHtml !== undefined ? 'composer composer-previewing' : 'composer'}
      novalidate
    >
      <ErrorSummary errors={p.errors} />
      {p.findings && p.findings.length > 0 ? (
        <Findings body={p.body} findings={p.findings} />
      ) : null}
      {p.before}
      {/* The text and, once Preview is pressed, how it looks: side by side on wide screens. */}
      <div class="composer-write">
        <div class={p.errors.body ? 'field field-error' : 'field'}>
          <label for="body">Your post</label>
          <p class="hint" id="body-hint">
            Markdown works: **bold**, *italic*, [a link](https://example.com), `code`, &gt; quotes,
            lists.
          </p>
          {p.errors.body ? (
            <p class="error-message" id="body-error">
              {p.errors.body}
            </p>
          ) : null}
          <textarea
            id="body"
            name="body"
            rows={12}
            required
            aria-describedby={p.errors.body ? 'body-hint body-error' : 'body-hint'}
            aria-invalid={p.errors.body ? 'true' : undefined}
          >
            {/* A newline right after <textarea> is dropped by HTML parsers: this one, not the text's own. */}
            {'\n'}
            {p.body}
          </textarea>
        </div>
        {p.previewHtml !== undefined ? (
          <section class="preview" aria-labelledby="preview-title">
            <h2 id="preview-title">Preview</h2>
            <p class="muted">This is how your post will look. It is not saved yet.</p>
            <div class="post-body">{raw(p.previewHtml)}</div>
          </section>
        ) : null}
      </div>
      {p.buyerBadge ? <BuyerBadgeBox choice={p.buyerBadge} /> : null}
      <div class="composer-actions">
        {/* The one place a composer says that posts are public, with the one-time acknowledgement. */}
        {p.askPublicAck ? (
          <Checkbox
            name="public_ack"
            checked={p.publicAck}
            error={p.errors.public_ack}
            label="I understand that my posts are public."
            hint="We ask this once, before your first post."
          />
        ) : null}
        <PublicNotice />
        <div class="buttons">
          <button type="submit" aria-describedby="public-notice">
            {p.submitLabel}
          </button>
          {p.findings && p.findings.length > 0 ? (
            <button
              type="submit"
              name="post_anyway"
              value="1"
              class="button-secondary"
              aria-describedby="findings-title"
            >
              Post anyway
            </button>
          ) : null}
          <button type="submit" name="preview" value="1" class="button-secondary">
            Preview
          </button>
          {p.cancelHref ? (
            <a class="button button-secondary" href={p.cancelHref}>
              Cancel
            </a>
          ) : null}
        </div>
      </div>
    </form>
  );
}

/** The verified-buyer badge is the author's choice: a purchase is personal information. */
function BuyerBadgeBox({ choice }: { choice: BuyerBadgeChoice }) {
  return (
    <Checkbox
      name="show_buyer_badge"
      checked={choice.checked}
      label="Show the “Verified buyer” badge on this post"
      hint={
        <>
          Your Plimus identity lists a purchase of this product. What you bought is personal
          information: the badge says so publicly, and it is shown only if you choose.
          {choice.accountSetting ? (
            <>
              {' '}
              Your <a href="/account">account setting</a> shows it on all your posts in forums of
              products you bought.
            </>
          ) : null}
        </>
      }
    />
  );
}

function Findings({ body, findings }: { body: string; findings: Finding[] }) {
  return (
    <section class="findings" role="alert" aria-labelledby="findings-title">
      <h2 id="findings-title">This looks like personal information</h2>
      <p>
        Your post was not saved. Everything posted here is public, so please check the highlighted
        parts. Edit them out below, or choose Post anyway if they are meant to be public.
      </p>
      <ul>
        {findings.map((f) => (
          <li>
            {KIND_LABELS[f.kind]}: <mark>{f.text}</mark>
          </li>
        ))}
      </ul>
      <pre class="findings-text">
        {'\n'}
        {splitByFindings(body, findings).map((part) =>
          part.finding ? <mark>{part.text}</mark> : part.text,
        )}
      </pre>
    </section>
  );
}
