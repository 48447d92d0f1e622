// Draft preview and the `npm run site` command: drafts only for the token or the secret, never the token in a page.
import net from 'node:net'
import {createPreviewSecret} from '@sanity/preview-url-secret/create-secret'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {siteConfigFromEnv} from '../../src/site/config'
import {startSite} from '../../src/site/server'
import {connectSite} from '../../src/site/source'
import {removeTempDirs, runScript, stopAllLakes} from '../helpers/lake'
import {attr, elements, get, NO_HOSTED, seededSite, textOf, unsafeMarkup, type SiteFixture} from './helpers'

const SECRET = 'preview-secret-for-tests-0123456789'
let f: SiteFixture
let slug: string
let articleId: string
const DRAFT_HEADLINE = 'مسودة: عنوان لم يُنشر بعد'

beforeAll(async () => {
  f = await seededSite({SITE_PREVIEW_SECRET: SECRET})
  const seeded = await f.client.fetch<{_id: string; slug: string}>('*[_type == "article"][0]{_id, "slug": slug.current}')
  slug = seeded.slug
  articleId = seeded._id
  const published = await f.client.getDocument(articleId)
  await f.client.createOrReplace({...published!, _id: `drafts.${articleId}`, headline: DRAFT_HEADLINE})
  await f.client.createOrReplace({
    _id: 'drafts.article-unpublished',
    _type: 'article',
    language: 'ar',
    headline: 'مقال لم ينشر قط',
    slug: {_type: 'slug', current: 'never-published'},
    body: [],
  })
})

afterAll(async () => {
  await f?.site.close()
  await stopAllLakes()
  removeTempDirs()
})

const articlePath = () => `/articles/${encodeURIComponent(slug)}`
const h1 = (html: string) => textOf(elements(html).find((el) => el.tagName === 'h1')!)

describe('draft preview', () => {
  it('readers see the published article, no banner, no edit attributes', async () => {
    const page = await get(f.site, articlePath())
    expect(page.status).toBe(200)
    expect(h1(page.text)).not.toBe(DRAFT_HEADLINE)
    expect(page.text).not.toContain('معاينة المسودة')
    expect(page.text).not.toContain('data-sanity')
    expect((await get(f.site, '/articles/never-published')).status).toBe(404)
  })

  it('the token shows the draft with a banner, no-store, click-to-edit attributes, and never the token', async () => {
    const page = await get(f.site, articlePath(), {authorization: `Bearer ${f.lake.token}`})
    expect(page.status).toBe(200)
    expect(h1(page.text)).toBe(DRAFT_HEADLINE)
    expect(page.text).toContain('معاينة المسودة')
    expect(page.headers.get('cache-control')).toBe('no-store')
    expect(page.text).not.toContain(f.lake.token)
    const headline = elements(page.text).find((el) => el.tagName === 'h1')!
    expect(attr(headline, 'data-sanity')).toBe(`id=${articleId};type=article;path=headline;base=${encodeURIComponent('http://127.0.0.1:3333')}`)
    expect(elements(page.text).filter((el) => (attr(el, 'data-sanity') ?? '').includes('path=body:')).length).toBeGreaterThan(5)
    expect(unsafeMarkup(page.text)).toEqual([])
    const unpublished = await get(f.site, '/articles/never-published', {authorization: `Bearer ${f.lake.token}`})
    expect(unpublished.status).toBe(200)
    expect(h1(unpublished.text)).toBe('مقال لم ينشر قط')
  })

  it('a wrong token is refused with 401 and shows nothing of the draft', async () => {
    const page = await get(f.site, articlePath(), {authorization: 'Bearer not-the-token'})
    expect(page.status).toBe(401)
    expect(page.text).not.toContain(DRAFT_HEADLINE)
  })

  it('the secret sets a cookie that is neither the secret nor the token; disable leaves preview', async () => {
    expect((await get(f.site, '/api/preview?secret=wrong-secret-0123456789')).status).toBe(401)
    const enter = await get(f.site, `/api/preview?secret=${SECRET}&redirect=${encodeURIComponent(articlePath())}`)
    expect(enter.status).toBe(303)
    expect(enter.headers.get('location')).toBe(articlePath())
    const cookie = enter.headers.get('set-cookie') ?? ''
    expect(cookie).toMatch(/^site_preview=[^;]+;.*HttpOnly/i)
    expect(cookie).not.toContain(SECRET)
    expect(cookie).not.toContain(f.lake.token)
    const pair = cookie.split(';')[0]!
    const page = await get(f.site, articlePath(), {cookie: pair})
    expect(h1(page.text)).toBe(DRAFT_HEADLINE)
    expect(page.text).not.toContain(SECRET)
    expect(page.text).toContain(`/api/preview/disable?redirect=${encodeURIComponent(articlePath())}`)
    const leave = await get(f.site, '/api/preview/disable?redirect=/', {cookie: pair})
    expect(leave.status).toBe(303)
    expect(leave.headers.get('set-cookie')).toMatch(/^site_preview=;.*Max-Age=0/i)
    // A forged cookie value gets the published page.
    expect(h1((await get(f.site, articlePath(), {cookie: 'site_preview=forged'})).text)).not.toBe(DRAFT_HEADLINE)
  })

  it('redirects only to paths on this site', async () => {
    for (const target of ['https://evil.example/', '//evil.example/', '/\\evil.example']) {
      const res = await get(f.site, `/api/preview?secret=${SECRET}&redirect=${encodeURIComponent(target)}`)
      expect(res.headers.get('location')).toBe('/')
    }
  })

  it('search finds drafts only in preview', async () => {
    const q = encodeURIComponent('مسودة')
    expect((await get(f.site, `/search?q=${q}`)).text).not.toContain(DRAFT_HEADLINE)
    const preview = await get(f.site, `/search?q=${q}`, {authorization: `Bearer ${f.lake.token}`})
    expect(preview.text).toContain(DRAFT_HEADLINE)
  })

  it('the per-run secret is told only to token holders', async () => {
    expect((await get(f.site, '/api/preview/secret')).status).toBe(401)
    const res = await get(f.site, '/api/preview/secret', {authorization: `Bearer ${f.lake.token}`})
    expect(res.status).toBe(200)
    expect(JSON.parse(res.text)).toEqual({secret: SECRET, fromEnv: true})
  })
})

describe("the Studio's Presentation tool (preview mode and click-to-edit)", () => {
  const STUDIO = 'https://local.localhost:3333'
  const enable = (secret: string, pathname: string) =>
    `/api/draft-mode/enable?sanity-preview-secret=${encodeURIComponent(secret)}&sanity-preview-pathname=${encodeURIComponent(pathname)}&sanity-preview-perspective=drafts`

  it('enables preview with the secret the Studio writes into the dataset, and refuses any other', async () => {
    // What the Presentation tool does: a sanity.previewUrlSecret document, written with the editor's token.
    const {secret} = await createPreviewSecret(f.client, 'test', STUDIO)
    expect((await get(f.site, enable('not-the-secret', articlePath()))).status).toBe(401)
    expect((await get(f.site, '/api/draft-mode/enable')).status).toBe(401)
    const res = await get(f.site, enable(secret, articlePath()))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${articlePath()}?sanity-preview-perspective=drafts`)
    const cookie = res.headers.get('set-cookie') ?? ''
    // Over http (npm run site) the cookie is Lax; see below for https.
    expect(cookie).toMatch(/^site_preview=[^;]+;.*HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).not.toContain(secret)
    const page = await get(f.site, res.headers.get('location')!, {cookie: cookie.split(';')[0]!})
    expect(h1(page.text)).toBe(DRAFT_HEADLINE)
    // A path on another host is never a redirect target.
    const {secret: again} = await createPreviewSecret(f.client, 'test', STUDIO)
    expect((await get(f.site, enable(again, '//evil.example/x'))).headers.get('location')).not.toMatch(/^\/\/|evil/)
  })

  it('over https (npm run dev) sets a SameSite=None, Secure, Partitioned cookie, for inside the Studio only', async () => {
    const site = await startSite({
      source: await connectSite({...NO_HOSTED, LAKE_DIR: f.lake.dir, LAKE_PORT: String(f.lake.port), LAKE_TOKEN: ''}),
      config: siteConfigFromEnv({SITE_PORT: '0', SITE_URL: 'https://site.localhost:3333', SITE_STUDIO_URL: STUDIO}),
      log: () => {},
    })
    try {
      const {secret} = await createPreviewSecret(f.client, 'test', STUDIO)
      const cookie = (await get(site, enable(secret, '/'))).headers.get('set-cookie') ?? ''
      for (const part of [/SameSite=None/i, /;\s*Secure/i, /;\s*Partitioned/i, /HttpOnly/i]) expect(cookie).toMatch(part)
      const page = await get(site, '/')
      expect(page.headers.get('content-security-policy')).toContain(`frame-ancestors 'self' ${STUDIO}`)
      // The canonical address is SITE_URL's, not the port this test server listens on.
      const canonical = elements(page.text).find((el) => el.tagName === 'link' && attr(el, 'rel') === 'canonical')
      expect(canonical && attr(canonical, 'href')).toBe('https://site.localhost:3333/')
    } finally {
      await site.close()
    }
  })

  it('preview pages load the overlay script from the site itself; readers never get it', async () => {
    const preview = await get(f.site, articlePath(), {authorization: `Bearer ${f.lake.token}`})
    const scripts = elements(preview.text).filter((el) => el.tagName === 'script').map((el) => attr(el, 'src'))
    expect(scripts).toContain('/assets/visual-editing.js')
    // The overlay injects its styles, so preview pages allow inline styles; scripts stay 'self' only.
    const csp = preview.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self';")
    expect(csp).toContain("style-src 'unsafe-inline'")
    const reader = await get(f.site, articlePath())
    expect(reader.text).not.toContain('/assets/visual-editing.js')
    expect(reader.headers.get('content-security-policy')).not.toContain('unsafe-inline')

    const script = await get(f.site, '/assets/visual-editing.js')
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/)
    // @sanity/visual-editing, bundled at start-up: it speaks to the Presentation tool by postMessage.
    expect(script.text.length).toBeGreaterThan(100_000)
    expect(script.text).toContain('postMessage')
    expect(script.text).not.toContain(f.lake.token)
  })
})

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const {port} = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

describe('npm run site', () => {
  it('--help prints the usage', async () => {
    const run = await runScript('src/cli/site.ts', ['--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('usage: npm run site')
    expect(run.stdout).toContain('SITE_PORT')
  })

  it('exits 1 with a clear message when no lake answers, instead of starting one', async () => {
    const port = await freePort()
    const run = await runScript('src/cli/site.ts', [], {...NO_HOSTED, LAKE_PORT: String(port), SITE_PORT: '0', LAKE_DIR: '/nonexistent-lake-dir'})
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(`no local lake answers on http://127.0.0.1:${port}: start one with npm run lake`)
  })

  it('refuses a short SITE_PREVIEW_SECRET and a bad SITE_URL', async () => {
    const env = {...NO_HOSTED, LAKE_DIR: f.lake.dir, LAKE_PORT: String(f.lake.port), SITE_PORT: '0'}
    const short = await runScript('src/cli/site.ts', [], {...env, SITE_PREVIEW_SECRET: 'short'})
    expect(short.code).toBe(1)
    expect(short.stderr).toContain('SITE_PREVIEW_SECRET')
    const url = await runScript('src/cli/site.ts', [], {...env, SITE_URL: 'javascript:alert(1)'})
    expect(url.code).toBe(1)
    expect(url.stderr).toContain('SITE_URL')
  })
})
