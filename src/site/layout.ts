// The page shell every page shares: head (title, canonical, Open Graph, JSON-LD, the stylesheet),
// the preview banner, the header with the search box, and the footer.
import {formatDate, type EditAttribute, type ImageSource, type LinkPaths} from '../content/render'
import {html, jsonScript, langAttrs, raw, type Html} from './html'
import {CSS} from './style'

export interface PageContext {
  /** Absolute base for canonical links and feeds, without a trailing slash. */
  siteUrl: string
  siteName: string
  /** Draft preview: banner, no-store, click-to-edit attributes. */
  preview: boolean
  /** The path and query of this request, to come back to after leaving preview. */
  path: string
  /** Set only in preview. */
  edit?: EditAttribute
  /** Where article images are served from (the lake, or Sanity's CDN). */
  images?: ImageSource
}

export const paths: LinkPaths & {article: (slug: string, key?: string | null) => string} = {
  article: (slug, key) => `/articles/${encodeURIComponent(slug)}${key ? `#${encodeURIComponent(key)}` : ''}`,
  person: (slug) => `/people/${encodeURIComponent(slug)}`,
  organization: (slug) => `/organizations/${encodeURIComponent(slug)}`,
  quote: (id) => `/quotes/${encodeURIComponent(id)}`,
}

export const absolute = (ctx: Pick<PageContext, 'siteUrl'>, path: string): string => `${ctx.siteUrl}${path}`

export const QUOTE_KIND: Record<string, string> = {direct: 'قول مباشر', indirect: 'قول منقول'}

export interface PageMeta {
  title: string
  description?: string | null
  /** Path of this page's canonical address; none for pages that should not be indexed (search, errors). */
  canonicalPath?: string
  /** Language of the page's main document; the page's lang/dir follow it. */
  language?: string | null
  ogType?: 'website' | 'article' | 'profile'
  jsonLd?: unknown
}

/** A date in a <time> element, or nothing when there is no date. */
export function timeElement(iso: string | null | undefined, language?: string | null): Html {
  const text = formatDate(iso, language || 'ar')
  return text ? html`<time datetime="${iso ?? ''}">${text}</time>` : raw('')
}

export function layout(ctx: PageContext, meta: PageMeta, content: Html): string {
  const title = meta.title ? `${meta.title} — ${ctx.siteName}` : ctx.siteName
  const canonical = meta.canonicalPath !== undefined ? absolute(ctx, meta.canonicalPath) : undefined
  const lang = meta.language || 'ar'
  const locale = lang.replace('-', '_')
  const banner = ctx.preview
    ? html`<div class="preview-banner" role="status"><div class="wrap"><strong>معاينة المسودة</strong>
<a href="/api/preview/disable?redirect=${encodeURIComponent(ctx.path)}">الخروج من المعاينة</a></div></div>`
    : ''
  const page = html`<!doctype html>
<html ${langAttrs(lang)}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${meta.description ? html`<meta name="description" content="${meta.description}">` : ''}
${canonical ? html`<link rel="canonical" href="${canonical}">` : ''}
${ctx.preview || !canonical ? html`<meta name="robots" content="noindex">` : ''}
<meta property="og:site_name" content="${ctx.siteName}">
<meta property="og:type" content="${meta.ogType ?? 'website'}">
<meta property="og:title" content="${meta.title || ctx.siteName}">
${meta.description ? html`<meta property="og:description" content="${meta.description}">` : ''}
${canonical ? html`<meta property="og:url" content="${canonical}">` : ''}
<meta property="og:locale" content="${locale}">
<meta name="twitter:card" content="summary">
<link rel="alternate" type="application/atom+xml" title="${ctx.siteName}" href="${absolute(ctx, '/feed.xml')}">
<link rel="icon" href="data:,">
<style>${raw(CSS)}</style>
${meta.jsonLd ? jsonScript(meta.jsonLd) : ''}
<script src="/assets/live.js" defer></script>
${ctx.preview ? html`<script src="/assets/visual-editing.js" defer></script>` : ''}
</head>
<body>
${banner}
<header class="site-header" lang="ar" dir="rtl"><div class="wrap">
<a class="site-name" href="/">${ctx.siteName}</a>
<form class="search-form" role="search" aria-label="البحث في الموقع" action="/search" method="get">
<input type="search" name="q" maxlength="200" aria-label="ابحث في الأخبار والأقوال" placeholder="ابحث…">
<button type="submit">بحث</button>
</form>
</div></header>
<main class="wrap">
${content}
</main>
<footer class="site-footer" lang="ar" dir="rtl"><div class="wrap"><a href="/feed.xml">آخر الأخبار (Atom)</a></div></footer>
</body>
</html>
`
  return page.value
}
