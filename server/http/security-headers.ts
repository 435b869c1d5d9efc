/**
 * The headers every HTML page Patchbay serves carries (the SPA and GraphiQL): a Content Security
 * Policy, no MIME sniffing, no referrer, no framing. Pages differ only in their CSP directives.
 */

export type CspDirectives = Readonly<Record<string, readonly string[]>>;

export const SPA_CSP: CspDirectives = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'frame-ancestors': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'self'"],
};

export function securityHeaders(csp: CspDirectives = SPA_CSP): Record<string, string> {
  return {
    'content-security-policy': Object.entries(csp)
      .map(([name, sources]) => `${name} ${sources.join(' ')}`)
      .join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  };
}
