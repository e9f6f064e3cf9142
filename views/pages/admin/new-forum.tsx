/** /admin/forums/new: a new forum. */
import { MAX_FORUM_SLUG } from '../../../src/validation/admin-forms';
import { Breadcrumbs } from '../../components/breadcrumbs';
import { Select } from '../../components/choice';
import { ErrorSummary, Field, type FieldErrors } from '../../components/form';
import { type Frame, Layout } from '../../layouts/site';
import {
  categoryOptions,
  DetailsFields,
  FORUM_LABELS,
  type ForumValues,
  ProductFields,
} from './forum-fields';

export type NewForumPageProps = { frame: Frame; values: ForumValues; errors: FieldErrors };

export function NewForumPage(p: NewForumPageProps) {
  return (
    <Layout frame={p.frame} title="Administration: new forum" noindex>
      <Breadcrumbs items={[{ href: '/admin', label: 'Administration' }]} />
      <h1>New forum</h1>
      <form method="post" action="/admin/forums" class="form" novalidate>
        <ErrorSummary errors={p.errors} labels={FORUM_LABELS} />
        <Field
          name="slug"
          label="Address"
          value={p.values.slug}
          error={p.errors.slug}
          hint={
            <>
              The forum will be at /f/<em>address</em>: 2 to {MAX_FORUM_SLUG} letters a-z, digits
              and hyphens, like <code>acme-backup</code>. It cannot be changed later, because links
              to the forum must keep working.
            </>
          }
          required
          maxlength={MAX_FORUM_SLUG}
        />
        <DetailsFields values={p.values} errors={p.errors} />
        <Select
          name="category"
          label="Category"
          value={p.values.category}
          error={p.errors.category}
          options={[
            { value: '', label: 'Products if tied to a product, otherwise Community' },
            ...categoryOptions,
          ]}
        />
        <fieldset class="field admin-product">
          <legend>Vendor's product (optional)</legend>
          <p class="hint">
            For a product forum fill in all four fields; for any other forum leave them empty.
          </p>
          <ProductFields values={p.values} errors={p.errors} />
        </fieldset>
        <div class="buttons">
          <button type="submit">Create forum</button>
          <a href="/admin">Cancel</a>
        </div>
      </form>
    </Layout>
  );
}
