/** /admin/forums/:id: a forum's name, category and product, and archiving it. */
import type { AdminForum } from '../../../src/services/admin';
import { Breadcrumbs } from '../../components/breadcrumbs';
import { Select } from '../../components/choice';
import { ErrorSummary, type FieldErrors } from '../../components/form';
import { CATEGORY_NAMES } from '../../components/names';
import { type Frame, Layout } from '../../layouts/site';
import { AnnouncementForumSection } from './announcement-forum';
import {
  categoryOptions,
  DetailsFields,
  FORUM_LABELS,
  type ForumValues,
  ProductFields,
} from './forum-fields';
import { Notice } from './parts';

export type EditForumPageProps = {
  frame: Frame;
  forum: AdminForum;
  notice?: string | undefined;
  errors: FieldErrors;
  /** what was typed into the form that came back with errors */
  values?: ForumValues;
};

export function EditForumPage(p: EditForumPageProps) {
  const f = p.forum;
  const v: ForumValues = {
    name: f.name,
    description: f.description,
    category: f.category,
    vendor_id: f.product?.vendor.plimusVendorId,
    vendor_name: f.product?.vendor.name,
    product_id: f.product?.plimusProductId,
    product_name: f.product?.name,
    ...p.values,
  };
  return (
    <Layout frame={p.frame} title={`Administration: ${f.name}`} noindex>
      <Breadcrumbs items={[{ href: '/admin', label: 'Administration' }]} />
      <h1>
        {f.name} {f.archived ? <span class="tag">Archived</span> : null}
      </h1>
      <Notice text={p.notice} />
      <ErrorSummary errors={p.errors} labels={FORUM_LABELS} />
      <p>
        At <a href={`/f/${f.slug}`}>/f/{f.slug}</a>, in {CATEGORY_NAMES[f.category]}.{' '}
        {f.topicCount.toLocaleString('en-US')} {f.topicCount === 1 ? 'topic' : 'topics'},{' '}
        {f.postCount.toLocaleString('en-US')} {f.postCount === 1 ? 'post' : 'posts'}. The address
        stays as it is: links to the forum live in search engines and on other sites.
      </p>

      <section class="admin-section" aria-labelledby="details-title">
        <h2 id="details-title">Name, description and category</h2>
        <form method="post" action={`/admin/forums/${f.id}`} class="form" novalidate>
          <DetailsFields values={v} errors={p.errors} />
          <Select
            name="category"
            label="Category"
            value={v.category}
            error={p.errors.category}
            hint="A forum moved to another category goes to the end of it."
            options={categoryOptions}
          />
          <div class="buttons">
            <button type="submit">Save</button>
          </div>
        </form>
      </section>

      <section class="admin-section" aria-labelledby="product-title">
        <h2 id="product-title">Vendor's product</h2>
        {f.product ? (
          <p>
            A product forum of <strong>{f.product.vendor.name}</strong> (vendor id{' '}
            <code>{f.product.vendor.plimusVendorId}</code>) for <strong>{f.product.name}</strong>{' '}
            (product id <code>{f.product.plimusProductId}</code>
            ): its staff and the product's buyers get their badges here.
          </p>
        ) : (
          <p>Not tied to a product. Tie it to one to make it that product's forum.</p>
        )}
        <form method="post" action={`/admin/forums/${f.id}/product`} class="form" novalidate>
          <ProductFields values={v} errors={p.errors} />
          <div class="buttons">
            <button type="submit">{f.product ? 'Change product' : 'Tie to product'}</button>
          </div>
        </form>
        {f.product ? (
          <form method="post" action={`/admin/forums/${f.id}/product/remove`} class="buttons">
            <button type="submit" class="button-secondary">
              Untie from {f.product.name}
            </button>
          </form>
        ) : null}
      </section>

      <AnnouncementForumSection forum={f} />

      <section class="admin-section" aria-labelledby="archive-title">
        <h2 id="archive-title">{f.archived ? 'Archived' : 'Archive'}</h2>
        {f.archived ? (
          <>
            <p>
              This forum is read-only: its topics stay readable, but nobody can start a topic, reply
              or edit a post in it.
            </p>
            <form method="post" action={`/admin/forums/${f.id}/unarchive`} class="buttons">
              <button type="submit">Open the forum again</button>
            </form>
          </>
        ) : (
          <>
            <p>
              An archived forum stays readable, but nobody can start a topic, reply or edit a post
              in it. You can open it again at any time.
            </p>
            <form method="post" action={`/admin/forums/${f.id}/archive`} class="buttons">
              <button type="submit" class="button-danger">
                Archive this forum
              </button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}
