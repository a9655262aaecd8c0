/**
 * The console's security headers, the same behind CloudFront and on `npm start`: nothing is
 * loaded from elsewhere but the API and the sign-in (`connect`), no page may frame it. Styles may
 * be inline: the notice preview shows the email's own HTML, which styles its buttons inline.
 */
export function consoleSecurityHeaders(connectSources: readonly string[] = []) {
  return {
    "content-security-policy": [
      "default-src 'self'",
      `connect-src 'self' ${connectSources.join(" ")}`.trim(),
      "img-src 'self' data:",
      "style-src 'self' 'unsafe-inline'",
      "frame-src 'none'",
      "frame-ancestors 'none'",
      "form-action 'self'",
      "base-uri 'none'",
      "object-src 'none'",
    ].join("; "),
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
  };
}
