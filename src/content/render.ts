// Renders an article (the result of articleBySlugQuery) to HTML with @portabletext/to-html.
// @portabletext/to-html adds no dir/lang; every element holding article text gets them here.
import {escapeHTML, toHTML, type PortableTextComponents} from '@portabletext/to-html'
import type {ArticleBySlugQueryResult} from '../../sanity.types'
import {directionOfLanguage, isSafeHref} from './rules'

export type RenderableArticle = NonNullable<ArticleBySlugQueryResult>

/** Where mentions and quotes link to; the defaults suit a site with /people, /organizations and /quotes pages. */
export interface LinkPaths {
  person: (slug: string) => string
  organization: (slug: string) => string
  quote: (id: string) => string
}

export interface RenderOptions {
  /** A full HTML document instead of an <article> fragment. */
  document?: boolean
  paths?: Partial<LinkPaths>
}

const defaultPaths: LinkPaths = {
  person: (slug) => `/people/${encodeURIComponent(slug)}`,
  organization: (slug) => `/organizations/${encodeURIComponent(slug)}`,
  quote: (id) => `/quotes/${encodeURIComponent(id)}`,
}

type MarkDef = NonNullable<NonNullable<RenderableArticle['body']>[number]['markDefs']>[number]
type QuoteMark = Extract<MarkDef, {_type: 'quote'}>
type MentionMark = Extract<MarkDef, {_type: 'mention'}>
type LinkMark = Extract<MarkDef, {_type: 'link'}>

export function renderArticle(article: RenderableArticle, options: RenderOptions = {}): string {
  const paths = {...defaultPaths, ...options.paths}
  const lang = article.language || 'ar'
  const dir = directionOfLanguage(lang)
  const attrs = `lang="${escapeHTML(lang)}" dir="${dir}"`

  const components: Partial<PortableTextComponents> = {
    marks: {
      link: ({children, value}: {children: string; value?: LinkMark}) => {
        const href = value?.href
        // Unsafe schemes (javascript:, data: …) lose the link but keep the words.
        return href && isSafeHref(href) ? `<a href="${escapeHTML(href.trim())}" rel="noopener">${children}</a>` : children
      },
      quote: ({children, value}: {children: string; value?: QuoteMark}) => {
        const quote = value?.quote
        if (!quote) return children
        const speaker = quote.speaker?.name
        const title = speaker ? ` title="${escapeHTML(speaker)}"` : ''
        // quotes:none: the source carries its own marks (or none, for reported speech); a browser's
        // default <q> marks would add characters the agency never wrote.
        return `<q cite="${escapeHTML(paths.quote(quote._id))}" data-quote-id="${escapeHTML(quote._id)}" data-kind="${escapeHTML(quote.kind)}"${title} style="quotes: none">${children}</q>`
      },
      mention: ({children, value}: {children: string; value?: MentionMark}) => {
        const target = value?.target
        if (!target?.slug) return children
        const href = target._type === 'person' ? paths.person(target.slug) : paths.organization(target.slug)
        return `<a href="${escapeHTML(href)}" class="mention mention-${target._type}">${children}</a>`
      },
    },
  }

  const body = toHTML(article.body ?? [], {components, onMissingComponent: false})
  const lead = article.lead ? `\n<p class="lead">${escapeHTML(article.lead)}</p>` : ''
  const agency = article.sourceAgency?.name
    ? `\n<footer><p class="source">${escapeHTML(article.sourceAgency.name)}</p></footer>`
    : ''
  const fragment = `<article ${attrs}>\n<header>\n<h1>${escapeHTML(article.headline)}</h1>${lead}\n</header>\n${body}${agency}\n</article>`

  if (!options.document) return fragment
  return `<!doctype html>
<html ${attrs}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHTML(article.headline)}</title>
<style>
body { max-width: 42rem; margin: 2rem auto; padding: 0 1rem; font: 1.125rem/1.7 system-ui, "Noto Naskh Arabic", "Noto Sans Arabic", sans-serif; }
.lead { font-size: 1.25rem; color: #333; }
q { background: #fff6d6; }
a.mention { color: inherit; text-decoration: underline dotted; }
.source { color: #666; font-size: 0.9rem; }
</style>
</head>
<body>
${fragment}
</body>
</html>
`
}
