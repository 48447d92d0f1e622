// Renders an article (the result of articleBySlugQuery) to HTML with @portabletext/to-html: the one
// renderer behind `npm run render` and the reader's site (src/site/).
// @portabletext/to-html adds no dir/lang; every element holding article text gets them here.
import {escapeHTML, toHTML, type PortableTextComponents} from '@portabletext/to-html'
import {createImageUrlBuilder} from '@sanity/image-url'
import type {ArticleBySlugQueryResult} from '../../sanity.types'
import {directionOfLanguage, isSafeHref} from './rules'

export type RenderableArticle = NonNullable<ArticleBySlugQueryResult>
export type RenderableBlock = NonNullable<RenderableArticle['body']>[number]

/** Where mentions and quotes link to; the defaults suit a site with /people, /organizations and /quotes pages. */
export interface LinkPaths {
  person: (slug: string) => string
  organization: (slug: string) => string
  quote: (id: string) => string
}

/** A `data-sanity` value for a field of a document (the Presentation tool's click-to-edit), or nothing. */
export type EditAttribute = (doc: {_id: string; _type: string}, path: string) => string | undefined

export interface BodyOptions {
  paths?: Partial<LinkPaths>
  /** Give each block id="<its _key>", so quotes can link to the paragraph they come from. */
  anchors?: boolean
  /** Mark blocks and quotes for click-to-edit (draft preview only); `doc` is the document owning the body. */
  edit?: {attribute: EditAttribute; doc: {_id: string; _type: string}}
}

/** Where image URLs point: the lake's own origin (its apiHost), or Sanity's CDN for a hosted project. */
export interface ImageSource {
  projectId: string
  dataset: string
  baseUrl: string
}

export interface RenderOptions extends BodyOptions {
  /** A full HTML document instead of an <article> fragment. */
  document?: boolean
  /** Default: taken from the asset's own `url`. */
  images?: ImageSource
}

/** The image source of a client: a lake serves its images itself, api.sanity.io's come from cdn.sanity.io. */
export function imageSourceOf(config: {projectId?: string; dataset?: string; apiHost?: string}): ImageSource | undefined {
  if (!config.projectId || !config.dataset) return undefined
  const apiHost = config.apiHost || 'https://api.sanity.io'
  return {projectId: config.projectId, dataset: config.dataset, baseUrl: new URL(apiHost.replace(/^https:\/\/api\./, 'https://cdn.')).origin}
}

/** Widths offered in srcset; the browser picks by the layout width and the screen's density. */
export const IMAGE_WIDTHS = [320, 480, 640, 960, 1280, 1920] as const
/** The article column is 42rem at most (the site's and the rendered document's stylesheet). */
const IMAGE_SIZES = '(max-width: 44rem) 100vw, 42rem'

/** An image field as the site's queries project it (an article's mainImage, a person's portrait). */
export interface RenderableImage {
  alt?: string | null
  caption?: string | null
  credit?: string | null
  crop?: NonNullable<RenderableArticle['mainImage']>['crop'] | null
  hotspot?: NonNullable<RenderableArticle['mainImage']>['hotspot'] | null
  asset?: {_id: string; url?: string | null; metadata?: {dimensions?: {width?: number | null; height?: number | null} | null} | null} | null
}

function sourceFromUrl(url: string | null | undefined): ImageSource | undefined {
  const match = url ? /^(https?:\/\/[^/]+)\/images\/([^/]+)\/([^/]+)\//.exec(url) : null
  return match ? {baseUrl: match[1], projectId: match[2], dataset: match[3]} : undefined
}

/** An image as a <figure>: srcset through @sanity/image-url (crop and hotspot applied), alt, caption, credit. */
export function renderMainImage(image: RenderableImage | null | undefined, source?: ImageSource, edit = '', layout = {className: 'main-image', sizes: IMAGE_SIZES}): string {
  const asset = image?.asset
  const dims = asset?.metadata?.dimensions
  const from = source ?? sourceFromUrl(asset?.url)
  if (!image || !asset?._id || !dims?.width || !dims.height || !from) return ''
  const builder = createImageUrlBuilder(from).image(image).auto('format').fit('max')
  const crop = image.crop
  const width = Math.round(dims.width * (1 - (crop?.left ?? 0) - (crop?.right ?? 0)))
  const height = Math.round(dims.height * (1 - (crop?.top ?? 0) - (crop?.bottom ?? 0)))
  const widths: number[] = IMAGE_WIDTHS.filter((w) => w < width)
  if (widths.length < IMAGE_WIDTHS.length) widths.push(Math.min(width, IMAGE_WIDTHS[IMAGE_WIDTHS.length - 1]))
  const srcset = widths.map((w) => `${builder.width(w).url()} ${w}w`).join(', ')
  const src = builder.width(Math.min(width, 960)).url()
  const caption = image.caption ? `<span class="caption">${escapeHTML(image.caption)}</span>` : ''
  const credit = image.credit ? `<span class="credit">${escapeHTML(image.credit)}</span>` : ''
  const figcaption = caption || credit ? `\n<figcaption>${[caption, credit].filter(Boolean).join(' ')}</figcaption>` : ''
  return `\n<figure class="${layout.className}"${edit}>\n<img src="${escapeHTML(src)}" srcset="${escapeHTML(srcset)}" sizes="${layout.sizes}" width="${width}" height="${height}" alt="${escapeHTML(image.alt ?? '')}" decoding="async">${figcaption}\n</figure>`
}

const defaultPaths: LinkPaths = {
  person: (slug) => `/people/${encodeURIComponent(slug)}`,
  organization: (slug) => `/organizations/${encodeURIComponent(slug)}`,
  quote: (id) => `/quotes/${encodeURIComponent(id)}`,
}

type MarkDef = NonNullable<RenderableBlock['markDefs']>[number]
type QuoteMark = Extract<MarkDef, {_type: 'quote'}>
type MentionMark = Extract<MarkDef, {_type: 'mention'}>
type LinkMark = Extract<MarkDef, {_type: 'link'}>

const BLOCK_TAGS: Record<string, string> = {normal: 'p', h2: 'h2', h3: 'h3', blockquote: 'blockquote'}

const dataSanity = (value: string | undefined): string => (value ? ` data-sanity="${escapeHTML(value)}"` : '')

/** Portable Text blocks (body, or one paragraph of it) to HTML, with quotes, mentions and safe links. */
export function renderBody(blocks: readonly RenderableBlock[] | null | undefined, options: BodyOptions = {}): string {
  const paths = {...defaultPaths, ...options.paths}
  const {edit} = options

  const blockComponent =
    (tag: string) =>
    ({children, value}: {children?: string; value: {_key?: string}}): string => {
      const key = value._key
      const id = options.anchors && key ? ` id="${escapeHTML(key)}"` : ''
      const attr = edit && key ? dataSanity(edit.attribute(edit.doc, `body[_key=="${key}"]`)) : ''
      return `<${tag}${id}${attr}>${children ?? ''}</${tag}>`
    }

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
        const attr = edit ? dataSanity(edit.attribute({_id: quote._id, _type: 'quote'}, 'text')) : ''
        // quotes:none: the source carries its own marks (or none, for reported speech); a browser's
        // default <q> marks would add characters the agency never wrote.
        return `<q cite="${escapeHTML(paths.quote(quote._id))}" data-quote-id="${escapeHTML(quote._id)}" data-kind="${escapeHTML(quote.kind)}"${title} style="quotes: none"${attr}>${children}</q>`
      },
      mention: ({children, value}: {children: string; value?: MentionMark}) => {
        const target = value?.target
        if (!target?.slug) return children
        const href = target._type === 'person' ? paths.person(target.slug) : paths.organization(target.slug)
        return `<a href="${escapeHTML(href)}" class="mention mention-${target._type}">${children}</a>`
      },
    },
  }
  if (options.anchors || edit) {
    components.block = Object.fromEntries(Object.entries(BLOCK_TAGS).map(([style, tag]) => [style, blockComponent(tag)]))
    components.unknownBlockStyle = blockComponent('p')
  }
  return toHTML([...(blocks ?? [])], {components, onMissingComponent: false})
}

/** A date as readers of `language` write it (UTC), or undefined when it is not a date. */
export function formatDate(iso: string | null | undefined, language = 'ar'): string | undefined {
  if (!iso) return undefined
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return undefined
  try {
    return new Intl.DateTimeFormat(language, {dateStyle: 'long', timeZone: 'UTC'}).format(date)
  } catch {
    return new Intl.DateTimeFormat('ar', {dateStyle: 'long', timeZone: 'UTC'}).format(date)
  }
}

export function renderArticle(article: RenderableArticle, options: RenderOptions = {}): string {
  const paths = {...defaultPaths, ...options.paths}
  const lang = article.language || 'ar'
  const dir = directionOfLanguage(lang)
  const attrs = `lang="${escapeHTML(lang)}" dir="${dir}"`
  const doc = {_id: article._id, _type: 'article'}
  const edit = (path: string) => (options.edit ? dataSanity(options.edit.attribute(doc, path)) : '')

  const body = renderBody(article.body, {...options, edit: options.edit ? {attribute: options.edit.attribute, doc} : undefined})
  const lead = article.lead ? `\n<p class="lead"${edit('lead')}>${escapeHTML(article.lead)}</p>` : ''

  const date = formatDate(article.publishedAt, lang)
  const meta = [
    date ? `<time datetime="${escapeHTML(article.publishedAt ?? '')}">${escapeHTML(date)}</time>` : '',
    article.byline ? `<span class="byline"${edit('byline')}>${escapeHTML(article.byline)}</span>` : '',
  ].filter(Boolean)
  const metaLine = meta.length ? `\n<p class="meta">${meta.join(' · ')}</p>` : ''

  const link = (entity: {_type?: string; name?: string | null; slug?: string | null}, type: string) => {
    const name = escapeHTML(entity.name ?? '')
    if (!entity.slug) return name
    const href = type === 'person' ? paths.person(entity.slug) : paths.organization(entity.slug)
    return `<a href="${escapeHTML(href)}">${name}</a>`
  }
  const agency = article.sourceAgency?.name ? `<p class="source">${link(article.sourceAgency, 'organization')}</p>` : ''
  const credits = (article.credits ?? []).filter((c) => c?.name)
  const creditLine = credits.length ? `<p class="credits">${credits.map((c) => link(c, c._type)).join('، ')}</p>` : ''
  const footer = agency || creditLine ? `\n<footer>${[agency, creditLine].filter(Boolean).join('\n')}</footer>` : ''

  const figure = renderMainImage(article.mainImage, options.images, edit('mainImage'))
  const fragment = `<article ${attrs}>\n<header>\n<h1${edit('headline')}>${escapeHTML(article.headline)}</h1>${lead}${metaLine}\n</header>${figure}\n${body}${footer}\n</article>`

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
.meta, .source, .credits { color: #666; font-size: 0.9rem; }
q { background: #fff6d6; }
a.mention { color: inherit; text-decoration: underline dotted; }
figure.main-image { margin: 1.5rem 0; }
figure.main-image img { display: block; width: 100%; height: auto; }
figcaption { color: #555; font-size: 0.9rem; }
figcaption .credit { color: #777; }
</style>
</head>
<body>
${fragment}
</body>
</html>
`
}
