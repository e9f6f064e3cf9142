/** The vendor dashboard: what waits for an answer in the vendor's product forums. */
import type { VendorDashboard } from '../../src/services/vendor';
import { Age } from '../components/age';
import { Pagination } from '../components/pagination';
import { Time } from '../components/time';
import { type Frame, Layout } from '../layouts/site';

export type VendorPageProps = {
  frame: Frame;
  /** the request's time, for the ages */
  now: number;
  dashboard: VendorDashboard;
  prevHref: string | null;
  nextHref: string | null;
};

const replies = (n: number) => (n === 1 ? '1 reply' : `${n.toLocaleString('en-US')} replies`);

export function VendorPage(p: VendorPageProps) {
  const d = p.dashboard;
  return (
    <Layout
      frame={p.frame}
      title={d.page > 1 ? `Vendor dashboard (page ${d.page})` : 'Vendor dashboard'}
      noindex
    >
      <h1>Vendor dashboard{d.vendorName ? `: ${d.vendorName}` : ''}</h1>
      {d.forums.length > 0 ? (
        <p class="lede">
          Questions in the forums of your products:{' '}
          {d.forums.map((f, i) => (
            <>
              {i > 0 ? ', ' : null}
              <a href={`/f/${f.slug}`}>{f.name}</a>
            </>
          ))}
          . Your replies carry the “Vendor · {d.vendorName}” badge there.
        </p>
      ) : (
        <p class="lede">
          None of your products has a forum yet. Ask the forum administrators to add one.
        </p>
      )}

      <section class="vendor-section" aria-labelledby="open-questions-title">
        <h2 id="open-questions-title">Open questions</h2>
        {d.openCount === 0 ? (
          <p class="empty">
            No open questions: every question in your forums has an accepted answer.
          </p>
        ) : (
          <>
            <p>
              {d.openCount === 1
                ? '1 question has'
                : `${d.openCount.toLocaleString('en-US')} questions have`}{' '}
              no accepted answer yet. Those whose last post is oldest come first.
            </p>
            <ol class="vendor-questions topic-list">
              {d.questions.map((q) => (
                <li class="topic-item">
                  <h3 class="topic-title">
                    <a href={`/t/${q.id}/${q.slug}`}>{q.title}</a>
                  </h3>
                  <p class="topic-meta">
                    In <a href={`/f/${q.forum.slug}`}>{q.forum.name}</a>
                    {' · '}
                    asked by {q.author ?? 'a deleted user'} <Age date={q.createdAt} now={p.now} />
                    {' · '}
                    {replies(q.replyCount)}
                    {q.replyCount > 0 ? (
                      <>
                        , the last <Age date={q.lastPostAt} now={p.now} />
                      </>
                    ) : null}
                  </p>
                </li>
              ))}
            </ol>
          </>
        )}
        <Pagination
          label="Pages of open questions"
          page={d.page}
          pageCount={d.pageCount}
          prevHref={p.prevHref}
          nextHref={p.nextHref}
        />
      </section>

      <section class="vendor-section" aria-labelledby="recent-answers-title">
        <h2 id="recent-answers-title">Your recent answers</h2>
        {d.answers.length === 0 ? (
          <p class="empty">You have not replied in your products’ forums yet.</p>
        ) : (
          <ul class="vendor-answers">
            {d.answers.map((a) => (
              <li>
                <a href={`/p/${a.postId}`}>
                  Reply #{a.number} to “{a.topic.title}”
                </a>{' '}
                in {a.forum.name}, <Time date={a.createdAt} />
                {a.accepted ? (
                  <>
                    {' '}
                    <span class="tag tag-answered">Accepted answer</span>
                  </>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </section>
    </Layout>
  );
}
