// Security headers on every answer, pages and errors alike.
import {CSS_HASH, Q_STYLE_HASH} from './style'

/**
 * frame-ancestors lets the Studio (Presentation tool) show the site beside the form; nothing else may frame it.
 * Preview pages also run the click-to-edit overlay (@sanity/visual-editing), whose components
 * inject their own <style> elements: those pages allow inline styles (never inline scripts).
 * Readers' pages allow only the site's own stylesheet, by hash.
 */
export function contentSecurityPolicy(studioUrl: string, options: {preview?: boolean} = {}): string {
  const studio = new URL(studioUrl).origin
  return [
    "default-src 'none'",
    options.preview ? "style-src 'unsafe-inline'" : `style-src ${CSS_HASH} 'unsafe-hashes' ${Q_STYLE_HASH}`,
    "script-src 'self'",
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors 'self' ${studio}`,
  ].join('; ')
}

export function securityHeaders(studioUrl: string, options: {preview?: boolean} = {}): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(studioUrl, options),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-resource-policy': 'same-origin',
  }
}
