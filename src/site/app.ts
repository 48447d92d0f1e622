// The site's routes (Hono). Every page reads the lake through @sanity/client with the typed queries
// in src/queries.ts, on every request: nothing is cached, so a publish shows on the next request.
import type {SanityClient} from '@sanity/client'
import {validatePreviewUrl} from '@sanity/preview-url-secret'
import {Hono, type Context} from 'hono'
import {deleteCookie, getCookie, setCookie} from 'hono/cookie'
import {streamSSE} from 'hono/streaming'
import {
  articleBySlugQuery,
  articlesPageQuery,
  organizationPageQuery,
  personPageQuery,
  quotePageQuery,
  searchResultsQuery,
  sitemapQuery,
} from '../queries'
import {imageSourceOf} from '../content/render'
import {LIVE_JS} from './assets'
import {atomFeed, FEED_ENTRIES} from './feed'
import {securityHeaders} from './headers'
import type {PageContext} from './layout'
import type {Live} from './live'
import {articlePage} from './pages/article'
import {errorPage} from './pages/errors'
import {ARTICLES_PER_PAGE, homePage} from './pages/home'
import {organizationPage} from './pages/organization'
import {personPage, QUOTES_PER_ENTITY} from './pages/person'
import {quotePage} from './pages/quote'
import {searchPage, type SearchResult} from './pages/search'
import {BadRequest, idParam, localRedirect, pageParam, queryParam, slugParam} from './params'
import {editAttributes, PREVIEW_COOKIE, sameSecret, viewerOf, type PreviewAuth} from './preview'
import {sitemapXml, SITEMAP_LIMIT} from './sitemap'
import type {VisualEditingBundle} from './visualEditing'

export const SEARCH_RESULTS = 50
/** Open /api/live streams; past this, pages still work, they just do not refresh themselves. */
export const MAX_LIVE_STREAMS = 200
const SEARCH_READY_MS = 10_000

export interface SiteDeps {
  /** Published perspective. */
  client: SanityClient
  live: Live
  preview: PreviewAuth
  siteUrl: () => string
  siteName: string
  studioUrl: string
  /** Cookies get `Secure` when the site is served over https. */
  secureCookies: () => boolean
  /** Where images are loaded from instead of the client's API host (SITE_IMAGE_URL). */
  imageUrl?: string
  /** The click-to-edit overlay script for preview pages. */
  visualEditing: VisualEditingBundle
  log: (line: string) => void
}

type Env = {Variables: {page: PageContext; client: SanityClient; editor: boolean}}

export function createApp(deps: SiteDeps): Hono<Env> {
  const app = new Hono<Env>()
  const fromClient = imageSourceOf(deps.client.config())
  // Behind npm run dev's https front, the lake's plain-http address would be mixed content.
  const images = fromClient && deps.imageUrl ? {...fromClient, baseUrl: new URL(deps.imageUrl).origin} : fromClient
  const imageOrigin = images?.baseUrl
  const readerHeaders = securityHeaders(deps.studioUrl, {imageOrigin})
  const previewHeaders = securityHeaders(deps.studioUrl, {preview: true, imageOrigin})
  const drafts = deps.client.withConfig({perspective: 'drafts'})
  const edit = editAttributes(deps.client, deps.studioUrl)
  let liveStreams = 0

  const html = (c: Context<Env>, body: string, status: 200 | 400 | 401 | 404 | 500 | 502 | 503 = 200) =>
    c.html(body, status)
  const fail = (c: Context<Env>, status: 400 | 401 | 404 | 500 | 502 | 503, detail?: string) =>
    html(c, errorPage(c.get('page'), status, detail), status)

  app.use('*', async (c, next) => {
    const url = new URL(c.req.url)
    const viewer = viewerOf(deps.preview, c.req.header('authorization'), getCookie(c, PREVIEW_COOKIE))
    const editor = viewer === 'editor'
    c.set('editor', editor)
    c.set('client', editor ? drafts : deps.client)
    c.set('page', {
      siteUrl: deps.siteUrl(),
      siteName: deps.siteName,
      preview: editor,
      path: url.pathname + url.search,
      ...(images ? {images} : {}),
      ...(editor ? {edit} : {}),
    })
    if (viewer === 'refused') c.res = await fail(c, 401)
    else await next()
    for (const [name, value] of Object.entries(editor ? previewHeaders : readerHeaders)) c.res.headers.set(name, value)
    if (!c.res.headers.has('cache-control')) c.res.headers.set('cache-control', editor ? 'no-store' : 'no-cache')
    if (editor) c.res.headers.set('cache-control', 'no-store')
    c.res.headers.set('vary', 'Authorization, Cookie')
  })

  app.get('/', async (c) => {
    const page = pageParam(c.req.query('page'))
    const start = (page - 1) * ARTICLES_PER_PAGE
    const data = await c.get('client').fetch(articlesPageQuery, {start, end: start + ARTICLES_PER_PAGE}, {tag: 'site.home'})
    if (page > 1 && data.articles.length === 0) return fail(c, 404)
    return html(c, homePage(c.get('page'), data, page))
  })

  app.get('/articles/:slug', async (c) => {
    const article = await c.get('client').fetch(articleBySlugQuery, {slug: slugParam(c.req.param('slug'))}, {tag: 'site.article'})
    return article ? html(c, articlePage(c.get('page'), article)) : fail(c, 404)
  })

  app.get('/people/:slug', async (c) => {
    const person = await c.get('client').fetch(personPageQuery, {slug: slugParam(c.req.param('slug')), limit: QUOTES_PER_ENTITY}, {tag: 'site.person'})
    return person ? html(c, personPage(c.get('page'), person)) : fail(c, 404)
  })

  app.get('/organizations/:slug', async (c) => {
    const org = await c.get('client').fetch(organizationPageQuery, {slug: slugParam(c.req.param('slug')), limit: QUOTES_PER_ENTITY}, {tag: 'site.organization'})
    return org ? html(c, organizationPage(c.get('page'), org)) : fail(c, 404)
  })

  app.get('/quotes/:id', async (c) => {
    const {id, addressable} = idParam(c.req.param('id'))
    if (!addressable) return fail(c, 404)
    const quote = await c.get('client').fetch(quotePageQuery, {id}, {tag: 'site.quote'})
    return quote ? html(c, quotePage(c.get('page'), quote)) : fail(c, 404)
  })

  app.get('/search', async (c) => {
    const q = queryParam(c.req.query('q'))
    if (!q) return html(c, searchPage(c.get('page'), '', [], 0))
    const ready = await Promise.race([deps.live.ready.then(() => true), sleep(SEARCH_READY_MS).then(() => false)])
    if (!ready) return fail(c, 503, 'فهرس البحث قيد التحميل.')
    await deps.live.settled()
    const {hits, total} = deps.live.index.search(q, {drafts: c.get('editor'), limit: SEARCH_RESULTS})
    const ids = hits.map((h) => h.id)
    const found = ids.length ? await c.get('client').fetch(searchResultsQuery, {ids}, {tag: 'site.search'}) : []
    const byId = new Map(found.map((r) => [r._id, r]))
    const results = ids.map((id) => byId.get(id)).filter((r): r is SearchResult => r !== undefined)
    return html(c, searchPage(c.get('page'), q, results, total - (ids.length - results.length)))
  })

  app.get('/feed.xml', async (c) => {
    const data = await deps.client.fetch(articlesPageQuery, {start: 0, end: FEED_ENTRIES}, {tag: 'site.feed'})
    return c.body(atomFeed({siteUrl: deps.siteUrl(), siteName: deps.siteName}, data.articles), 200, {'content-type': 'application/atom+xml; charset=utf-8'})
  })

  app.get('/sitemap.xml', async (c) => {
    const data = await deps.client.fetch(sitemapQuery, {limit: SITEMAP_LIMIT}, {tag: 'site.sitemap'})
    return c.body(sitemapXml(deps.siteUrl(), data), 200, {'content-type': 'application/xml; charset=utf-8'})
  })

  app.get('/robots.txt', (c) => c.text(`User-agent: *\nDisallow: /api/\nSitemap: ${deps.siteUrl()}/sitemap.xml\n`))

  app.get('/assets/live.js', (c) =>
    c.body(LIVE_JS, 200, {'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300'}),
  )

  app.get('/assets/visual-editing.js', async (c) => {
    const script = await deps.visualEditing.script().catch(() => undefined)
    if (script === undefined) return fail(c, 503, 'أداة التحرير المباشر غير متاحة الآن.')
    return c.body(script, 200, {'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=300'})
  })

  // Server-sent events telling open pages that something changed; readers hear only of published documents.
  app.get('/api/live', (c) => {
    if (liveStreams >= MAX_LIVE_STREAMS) return c.text('too many live streams open', 503, {'retry-after': '30'})
    const editor = c.get('editor')
    liveStreams++
    return streamSSE(c, async (stream) => {
      let wake: () => void = () => {}
      const off = deps.live.onChange(({id}) => {
        if (!editor && (id.startsWith('drafts.') || id.startsWith('versions.'))) return
        void stream.writeSSE({event: 'change', data: '{}'})
      })
      stream.onAbort(() => wake())
      try {
        while (!stream.aborted && !stream.closed) {
          await Promise.race([stream.sleep(25_000), new Promise<void>((resolve) => (wake = resolve))])
          if (!stream.aborted) await stream.write(': keep-alive\n\n')
        }
      } finally {
        off()
        liveStreams--
      }
    })
  })

  // Preview on: the secret (SITE_PREVIEW_SECRET or the per-run one) or the site's token.
  app.get('/api/preview', (c) => {
    if (!deps.preview.token) return fail(c, 503, 'المعاينة تتطلب أن يعمل الموقع برمز (token).')
    const ok = c.get('editor') || sameSecret(c.req.query('secret'), deps.preview.secret)
    if (!ok) return fail(c, 401)
    setCookie(c, PREVIEW_COOKIE, deps.preview.cookieValue, {path: '/', httpOnly: true, sameSite: 'Lax', secure: deps.secureCookies()})
    c.header('cache-control', 'no-store')
    return c.redirect(localRedirect(c.req.query('redirect')), 303)
  })

  // Preview on from the Studio's Presentation tool: it writes a short-lived secret into the dataset
  // (a sanity.previewUrlSecret document) and opens this address with it; the secret is checked
  // against the dataset with the site's token. The site is then inside the Studio's frame, another
  // site: over https the cookie is SameSite=None and Partitioned (kept for pages under the Studio only).
  app.get('/api/draft-mode/enable', async (c) => {
    if (!deps.preview.token) return fail(c, 503, 'المعاينة تتطلب أن يعمل الموقع برمز (token).')
    const {isValid, redirectTo} = await validatePreviewUrl(deps.client, c.req.url)
    if (!isValid) return fail(c, 401)
    const secure = deps.secureCookies()
    setCookie(c, PREVIEW_COOKIE, deps.preview.cookieValue, {
      path: '/',
      httpOnly: true,
      secure,
      ...(secure ? {sameSite: 'None' as const, partitioned: true} : {sameSite: 'Lax' as const}),
    })
    c.header('cache-control', 'no-store')
    return c.redirect(localRedirect(redirectTo), 303)
  })

  app.get('/api/preview/disable', (c) => {
    deleteCookie(c, PREVIEW_COOKIE, {path: '/', secure: deps.secureCookies()})
    // …and the one set inside the Studio's frame, which only a partitioned deletion reaches.
    if (deps.secureCookies()) deleteCookie(c, PREVIEW_COOKIE, {path: '/', secure: true, sameSite: 'None', partitioned: true})
    c.header('cache-control', 'no-store')
    return c.redirect(localRedirect(c.req.query('redirect')), 303)
  })

  // The per-run secret, for whoever already holds the token (e.g. to configure the Presentation tool).
  app.get('/api/preview/secret', (c) => {
    if (!deps.preview.token || !c.req.header('authorization') || !c.get('editor')) return fail(c, 401)
    return c.json({secret: deps.preview.secret, fromEnv: deps.preview.secretFromEnv}, 200, {'cache-control': 'no-store'})
  })

  app.notFound((c) => fail(c, 404))

  app.onError((err, c) => {
    if (err instanceof BadRequest) return fail(c, 400, err.message)
    // Whatever failed is logged with its context; the reader gets a page, never a stack trace.
    deps.log(`site: ${c.req.method} ${new URL(c.req.url).pathname} failed: ${err instanceof Error ? err.message : String(err)}`)
    const fromLake = typeof (err as {statusCode?: unknown}).statusCode === 'number' || /fetch failed|ECONNREFUSED|socket/i.test(String(err))
    return fail(c, fromLake ? 502 : 500)
  })

  return app
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())
