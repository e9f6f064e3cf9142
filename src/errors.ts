/**
 * Domain errors. Services throw them; `app.onError` turns them into pages with the right status.
 * Handlers do not build error responses themselves.
 */
export class NotFoundError extends Error {
  override name = 'NotFoundError';
  constructor(message = 'We could not find that page.') {
    super(message);
  }
}

export class ForbiddenError extends Error {
  override name = 'ForbiddenError';
}

export class BadRequestError extends Error {
  override name = 'BadRequestError';
  constructor(
    message: string,
    readonly title = 'That request could not be understood',
  ) {
    super(message);
  }
}

export class TooManyRequestsError extends Error {
  override name = 'TooManyRequestsError';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/** The request was valid but the forum's state no longer allows it (e.g. a topic got locked). */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/**
 * A submitted form cannot be accepted as it is: the form comes back with the person's text and
 * a message next to each field named here (`form` for the form as a whole).
 */
export class FormError extends Error {
  override name = 'FormError';
  constructor(
    readonly fields: Record<string, string>,
    readonly status: 409 | 422 | 429 = 422,
    readonly retryAfterSeconds?: number,
  ) {
    super(Object.values(fields)[0] ?? 'The form has a problem.');
  }
}

/** The post looks like it contains personal data: the author sees what and decides. */
export class PersonalDataFound extends Error {
  override name = 'PersonalDataFound';
  constructor(readonly findings: import('./content/personal-data').Finding[]) {
    super('This post looks like it contains personal information.');
  }
}

/** A form was sent from another site's page (or without the headers that say where from). */
export class CrossSiteError extends Error {
  override name = 'CrossSiteError';
  constructor() {
    super(
      'This form was not sent from a page of this forum, so it was refused to keep your account safe. Go back to the forum, reload the page and try again.',
    );
  }
}

// Storage failures and the log's description of errors live beside the database code that
// raises and labels them; the rest of the app imports them from here.
export {
  BatchError,
  describeError,
  type StorageProblem,
  StorageUnavailableError,
  sqliteCode,
  sqlShape,
  storageFailure,
} from '../db/errors';
