import type { Context, MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * Security headers on every response: a CSP that allows no inline script or style and no
 * framing, no MIME sniffing, no referrer to other sites, and HSTS when the forum's own origin is
 * https: decided from the configuration, so that a server behind a TLS proxy (which sees plain
 * http) sends it too, and no request can turn it off.
 */
export function securityHeaders(ownOrigin: (c: Context) => string): MiddlewareHandler {
  const base = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
      objectSrc: ["'none'"],
    },
    referrerPolicy: 'same-origin',
    strictTransportSecurity: false,
    xFrameOptions: 'DENY',
    crossOriginResourcePolicy: 'same-origin',
    // A page may be stricter than these (the reset page sends no referrer at all).
    overwrite: false,
  });
  return async function securityHeadersMiddleware(c, next) {
    await base(c, next);
    if (ownOrigin(c).startsWith('https:')) {
      c.header('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    }
  };
}
