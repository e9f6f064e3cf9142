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
