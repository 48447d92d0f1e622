// Security headers on every answer, pages and errors alike.
import {CSS_HASH, Q_STYLE_HASH} from './style'

/**
 * frame-ancestors lets the Studio (Presentation tool) show the site beside the form; nothing else may frame it.
 * Preview pages also run the click-to-edit overlay (@sanity/visual-editing), whose components
 * inject their own <style> elements: those pages allow inline styles (never inline scripts).
 * Readers' pages allow only the site's own stylesheet, by hash.
 */
export interface HeaderOptions {
  preview?: boolean
  /** Where article images come from (the lake's origin, or Sanity's CDN): the only other img-src. */
  imageOrigin?: string
}

export function contentSecurityPolicy(studioUrl: string, options: HeaderOptions = {}): string {
  const studio = new URL(studioUrl).origin
  return [
    "default-src 'none'",
    options.preview ? "style-src 'unsafe-inline'" : `style-src ${CSS_HASH} 'unsafe-hashes' ${Q_STYLE_HASH}`,
    "script-src 'self'",
    "connect-src 'self'",
    `img-src 'self' data:${options.imageOrigin ? ` ${new URL(options.imageOrigin).origin}` : ''}`,
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors 'self' ${studio}`,
  ].join('; ')
}

export function securityHeaders(studioUrl: string, options: HeaderOptions = {}): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(studioUrl, options),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-resource-policy': 'same-origin',
  }
}
