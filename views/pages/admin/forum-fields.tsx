/** The fields of a forum, shared by the new-forum and the edit-forum pages. */
import { FORUM_CATEGORIES } from '../../../domain/words';
import {
  MAX_FORUM_DESCRIPTION,
  MAX_FORUM_NAME,
  MAX_PLIMUS_ID,
  MAX_PLIMUS_NAME,
} from '../../../src/validation/admin-forms';
import { Field, type FieldErrors } from '../../components/form';
import { CATEGORY_NAMES } from '../../components/names';

export const categoryOptions = FORUM_CATEGORIES.map((c) => ({
  value: c,
  label: CATEGORY_NAMES[c],
}));

export type ForumValues = {
  slug?: string;
  name?: string;
  description?: string;
  category?: string;
  vendor_id?: string;
  vendor_name?: string;
  product_id?: string;
  product_name?: string;
};

export const FORUM_LABELS: Record<string, string> = {
  slug: 'Address',
  name: 'Name',
  description: 'Description',
  category: 'Category',
  vendor_id: 'Vendor id',
  vendor_name: 'Vendor name',
  product_id: 'Product id',
  product_name: 'Product name',
};

export function DetailsFields({ values, errors }: { values: ForumValues; errors: FieldErrors }) {
  return (
    <>
      <Field
        name="name"
        label="Name"
        value={values.name}
        error={errors.name}
        hint={`2 to ${MAX_FORUM_NAME} characters, shown on the forum index.`}
        required
        maxlength={MAX_FORUM_NAME}
      />
      <Field
        name="description"
        label="Description"
        value={values.description}
        error={errors.description}
        hint={`Optional; one line of up to ${MAX_FORUM_DESCRIPTION} characters.`}
        maxlength={MAX_FORUM_DESCRIPTION}
      />
    </>
  );
}

export function ProductFields({ values, errors }: { values: ForumValues; errors: FieldErrors }) {
  return (
    <>
      <p class="hint">
        The ids are the Plimus identity's (as in its <code>plimus_vendor_id</code> and{' '}
        <code>plimus_purchases</code> claims), so that vendor staff and buyers are recognised. A
        vendor or product that is new to the forums is created; a known one takes the name given
        here.
      </p>
      <div class="admin-pair">
        <Field
          name="vendor_id"
          label="Vendor id"
          value={values.vendor_id}
          error={errors.vendor_id}
          maxlength={MAX_PLIMUS_ID}
        />
        <Field
          name="vendor_name"
          label="Vendor name"
          value={values.vendor_name}
          error={errors.vendor_name}
          maxlength={MAX_PLIMUS_NAME}
        />
      </div>
      <div class="admin-pair">
        <Field
          name="product_id"
          label="Product id"
          value={values.product_id}
          error={errors.product_id}
          maxlength={MAX_PLIMUS_ID}
        />
        <Field
          name="product_name"
          label="Product name"
          value={values.product_name}
          error={errors.product_name}
          maxlength={MAX_PLIMUS_NAME}
        />
      </div>
    </>
  );
}
