// The reader's site end to end: a real lake seeded by `npm run seed`, the real site server, plain HTTP.
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {removeTempDirs, stopAllLakes} from '../helpers/lake'
import {attr, elements, eventually, get, jsonLd, seededSite, textOf, unsafeMarkup, xmlTexts, type SiteFixture} from './helpers'

const SPEAKER = 'كريستيان جيمس'
let f: SiteFixture
let slug: string
let articleId: string

// Hostile values in every field a page shows; ids are valid so the documents can be created.
const XSS = '<script>alert(1)</script>'
const BREAKOUT = '"><img src=x onerror=alert(2)>'
const hostile = {
  person: {
    _id: 'person-hostile',
    _type: 'person',
    name: `سمير ${XSS}`,
    nameLatin: `Samir ${BREAKOUT}`,
    slug: {_type: 'slug', current: 'hostile-person'},
    jobTitle: `</title><script>alert(3)</script>`,
    sameAs: ['javascript:alert(4)', 'https://example.org/samir', 'data:text/html,<script>alert(5)</script>'],
  },
  org: {
    _id: 'org-hostile',
    _type: 'organization',
    name: `جهة ${BREAKOUT}`,
    nameLatin: `Org </script><script>alert(6)</script>`,
    slug: {_type: 'slug', current: 'hostile-org'},
    shortNames: [XSS],
  },
  article: {
    _id: 'article-hostile',
    _type: 'article',
    language: 'ar',
    headline: `عنوان ${XSS}\u0007`,
    lead: `مقدمة ${BREAKOUT} ]]> &amp;`,
    byline: `<b onclick="x()">محرر</b>`,
    slug: {_type: 'slug', current: 'hostile-article'},
    publishedAt: '2030-01-01T00:00:00Z',
    subjects: [XSS],
    sourceAgency: {_type: 'reference', _ref: 'org-hostile'},
    credits: [{_type: 'reference', _ref: 'person-hostile', _key: 'c1'}],
    people: [{_type: 'reference', _ref: 'person-hostile', _key: 'p1'}],
    body: [
      {
        _type: 'block',
        _key: 'k1"><script>alert(7)</script>',
        style: 'normal',
        markDefs: [
          {_type: 'link', _key: 'l1', href: 'javascript:alert(8)'},
          {_type: 'link', _key: 'l2', href: ' JaVaScRiPt:alert(9)'},
          {_type: 'link', _key: 'l3', href: 'https://example.org/"onmouseover="alert(10)'},
          {_type: 'mention', _key: 'm1', target: {_type: 'reference', _ref: 'person-hostile'}},
          {_type: 'quote', _key: 'q1', quote: {_type: 'reference', _ref: 'quote-hostile'}},
        ],
        children: [
          {_type: 'span', _key: 's1', text: `${XSS} رابط أول`, marks: ['l1']},
          {_type: 'span', _key: 's2', text: ' رابط ثان', marks: ['l2']},
          {_type: 'span', _key: 's3', text: ' رابط ثالث', marks: ['l3']},
          {_type: 'span', _key: 's4', text: ' سمير', marks: ['m1']},
          {_type: 'span', _key: 's5', text: ` قال ${BREAKOUT}`, marks: ['q1']},
        ],
      },
    ],
  },
  quote: {
    _id: 'quote-hostile',
    _type: 'quote',
    language: 'ar',
    kind: 'direct',
    text: `قال ${BREAKOUT} </script><script>alert(11)</script>`,
    speaker: {_type: 'reference', _ref: 'person-hostile'},
    article: {_type: 'reference', _ref: 'article-hostile'},
    blockKey: 'k1"><script>alert(7)</script>',
  },
}

// Written for this test: spelling the seed does not use (diacritics, tatweel, ى, ة, hamza forms).
const folding = {
  _id: 'article-folding',
  _type: 'article',
  language: 'ar',
  headline: 'مستشفى الرحمـــة يستقبل المرضى',
  lead: 'أعلنت وزارةُ الصحّة الأميركيّة أنّ إدارة المستشفى ستفتح قسماً جديداً',
  slug: {_type: 'slug', current: 'folding-test'},
  publishedAt: '2029-06-01T00:00:00Z',
  body: [{_type: 'block', _key: 'f1', style: 'normal', markDefs: [], children: [{_type: 'span', _key: 'f1s', text: 'وقالت إيمان إنّ العمل مستمر', marks: []}]}],
}

beforeAll(async () => {
  f = await seededSite()
  const tx = f.client.transaction()
  const docs: Array<{_id: string; _type: string}> = [hostile.person, hostile.org, hostile.article, hostile.quote, folding]
  for (const doc of docs) tx.createOrReplace(doc)
  await tx.commit({visibility: 'sync'})
  const seeded = await f.client.fetch<{_id: string; slug: string}>('*[_type == "article" && _id != "article-hostile" && _id != "article-folding"][0]{_id, "slug": slug.current}')
  slug = seeded.slug
  articleId = seeded._id
  await eventually(async () => f.site.live.index.size, (n) => n >= 12)
})

afterAll(async () => {
  await f?.site.close()
  await stopAllLakes()
  removeTempDirs()
})

const articlePath = (s: string) => `/articles/${encodeURIComponent(s)}`

describe('pages on the seeded dataset', () => {
  it('home lists the articles newest first with lead and byline, in Arabic, right to left', async () => {
    const page = await get(f.site, '/')
    expect(page.status).toBe(200)
    expect(page.text).toMatch(/^<!doctype html>\n<html lang="ar" dir="rtl">/)
    const headlines = elements(page.text).filter((el) => el.tagName === 'h2').map(textOf)
    // publishedAt 2030 (hostile) > 2029 (folding) > the seed article (no date: falls back to _createdAt, earlier).
    expect(headlines[0]).toContain('عنوان')
    expect(headlines[1]).toBe(folding.headline)
    expect(headlines).toContain((await f.client.fetch<string>('*[_id == $id][0].headline', {id: articleId})))
    expect(page.text).toContain('<span class="byline">&lt;b onclick=&quot;x()&quot;&gt;محرر&lt;/b&gt;</span>')
    expect(page.text).toContain(`href="${articlePath(slug)}"`)
  })

  it('the article shows headline, lead, quotes marked with cite, mentions linked and paragraph anchors', async () => {
    const page = await get(f.site, articlePath(slug))
    expect(page.status).toBe(200)
    const doc = await f.client.fetch<{headline: string; lead: string; body: Array<{_key: string}>}>('*[_id == $id][0]', {id: articleId})
    expect(page.text).toContain(`<h1>${doc.headline}</h1>`)
    expect(page.text).toContain(doc.lead)
    const els = elements(page.text)
    const qs = els.filter((el) => el.tagName === 'q')
    expect(qs).toHaveLength(8)
    for (const q of qs) expect(attr(q, 'cite')).toMatch(/^\/quotes\/quote-/)
    expect(qs.every((q) => attr(q, 'title') === SPEAKER)).toBe(true)
    const ids = new Set(els.map((el) => attr(el, 'id')).filter(Boolean))
    for (const block of doc.body) expect(ids.has(block._key), block._key).toBe(true)
    expect(els.some((el) => el.tagName === 'a' && attr(el, 'href') === '/people/christian-james')).toBe(true)
    expect(els.some((el) => el.tagName === 'a' && attr(el, 'href') === '/organizations/hawar-news-agency')).toBe(true)
    expect(els.find((el) => el.tagName === 'article')?.attrs).toEqual(expect.arrayContaining([{name: 'lang', value: 'ar'}, {name: 'dir', value: 'rtl'}]))
    expect(attr(els.find((el) => el.tagName === 'link' && attr(el, 'rel') === 'canonical')!, 'href')).toBe(`${f.site.url}${articlePath(slug)}`)
    expect(els.some((el) => attr(el, 'property') === 'og:title' && attr(el, 'content') === doc.headline)).toBe(true)
    expect(unsafeMarkup(page.text)).toEqual([])
  })

  it('the article JSON-LD is a NewsArticle whose Quotations name the speaker', async () => {
    const [ld] = jsonLd((await get(f.site, articlePath(slug))).text)
    expect(ld?.['@type']).toBe('NewsArticle')
    const parts = ld?.hasPart as Array<{'@type': string; creator: {'@type': string; name: string}; text: string}>
    expect(parts).toHaveLength(8)
    for (const part of parts) {
      expect(part['@type']).toBe('Quotation')
      expect(part.creator).toMatchObject({'@type': 'Person', name: SPEAKER})
    }
  })

  it('the person page lists every quote, each linking to its paragraph, with Person JSON-LD', async () => {
    const page = await get(f.site, '/people/christian-james')
    expect(page.status).toBe(200)
    const els = elements(page.text)
    expect(textOf(els.find((el) => el.tagName === 'h1')!)).toBe(SPEAKER)
    expect(page.text).toContain('<p class="muted" lang="en" dir="ltr">Christian James</p>')
    const quoteLinks = els.filter((el) => el.tagName === 'a' && /^\/quotes\/quote-/.test(attr(el, 'href') ?? ''))
    expect(quoteLinks).toHaveLength(8)
    const paragraphLinks = els.filter((el) => el.tagName === 'a' && (attr(el, 'href') ?? '').startsWith(`${articlePath(slug)}#`))
    expect(paragraphLinks).toHaveLength(8)
    const graph = jsonLd(page.text)[0]?.['@graph'] as Array<Record<string, unknown>>
    expect(graph[0]).toMatchObject({'@type': 'Person', name: SPEAKER, alternateName: 'Christian James'})
    expect(graph.filter((n) => n['@type'] === 'Quotation').every((n) => (n.creator as {name: string}).name === SPEAKER)).toBe(true)
    expect(unsafeMarkup(page.text)).toEqual([])
  })

  it('the organization page lists the articles that mention it', async () => {
    const page = await get(f.site, '/organizations/islamic-state-isis')
    expect(page.status).toBe(200)
    expect(textOf(elements(page.text).find((el) => el.tagName === 'h1')!)).toBe('داعش')
    expect(page.text).toContain(`href="${articlePath(slug)}"`)
    expect(jsonLd(page.text)[0]?.['@graph']).toEqual(expect.arrayContaining([expect.objectContaining({'@type': 'Organization', name: 'داعش'})]))
  })

  it('a quote page shows text, speaker, kind, the paragraph around it and links to it in the article', async () => {
    const quote = await f.client.fetch<{_id: string; text: string; blockKey: string}>('*[_type == "quote" && kind == "direct" && speaker._ref == "person-christian-james"] | order(_id asc)[0]')
    const page = await get(f.site, `/quotes/${quote._id}`)
    expect(page.status).toBe(200)
    const els = elements(page.text)
    expect(textOf(els.find((el) => el.tagName === 'blockquote')!)).toBe(quote.text)
    expect(page.text).toContain('قول مباشر')
    expect(els.some((el) => el.tagName === 'a' && attr(el, 'href') === '/people/christian-james' && textOf(el) === SPEAKER)).toBe(true)
    expect(els.some((el) => el.tagName === 'a' && attr(el, 'href') === `${articlePath(slug)}#${quote.blockKey}`)).toBe(true)
    // The paragraph, with this quote marked in it.
    expect(els.some((el) => el.tagName === 'q' && attr(el, 'data-quote-id') === quote._id)).toBe(true)
    const [ld] = jsonLd(page.text)
    expect(ld).toMatchObject({'@type': 'Quotation', text: quote.text, creator: {'@type': 'Person', name: SPEAKER}})
  })
})

describe('errors', () => {
  it.each([
    ['/articles/no-such-article', 404],
    ['/people/nobody', 404],
    ['/organizations/nothing', 404],
    ['/quotes/quote-none', 404],
    ['/quotes/drafts.quote-hostile', 404],
    ['/no/such/page', 404],
    ['/?page=2', 404],
    ['/?page=-1', 400],
    ['/?page=0', 400],
    ['/?page=abc', 400],
    ['/?page=1e3', 400],
    [`/search?q=${'ا'.repeat(201)}`, 400],
    ['/quotes/%3Cscript%3E', 400],
    [`/articles/${'a'.repeat(201)}`, 400],
  ])('%s answers %i with an Arabic page and no stack trace', async (path, status) => {
    const page = await get(f.site, path)
    expect(page.status).toBe(status)
    expect(page.headers.get('content-type')).toMatch(/^text\/html/)
    expect(page.text).toMatch(/<html lang="ar" dir="rtl">/)
    expect(page.text).toContain(status === 404 ? 'الصفحة غير موجودة' : 'طلب غير صالح')
    expect(page.text).not.toMatch(/\bat .+\.ts:\d+|Error:|node_modules/)
    expect(page.headers.get('content-security-policy')).toContain("default-src 'none'")
  })

  it('sends the security headers on every page', async () => {
    const page = await get(f.site, '/')
    const csp = page.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("script-src 'self'")
    expect(csp).not.toContain("'unsafe-inline'")
    expect(page.headers.get('x-content-type-options')).toBe('nosniff')
    expect(page.headers.get('referrer-policy')).toBe('strict-origin-when-cross-origin')
    expect(page.headers.get('cache-control')).toBe('no-cache')
  })
})

describe('hostile text', () => {
  it.each([
    ['article', articlePath('hostile-article')],
    ['person', '/people/hostile-person'],
    ['organization', '/organizations/hostile-org'],
    ['quote', '/quotes/quote-hostile'],
    ['home', '/'],
    ['search', `/search?q=${encodeURIComponent('سمير')}`],
  ])('the %s page shows it as text, with no script, handler or unsafe link', async (_name, path) => {
    const page = await get(f.site, path)
    expect(page.status).toBe(200)
    expect(unsafeMarkup(page.text)).toEqual([])
    expect(page.text).not.toMatch(/<script>alert|<img|javascript:|data:text/i)
    for (const ld of jsonLd(page.text)) expect(ld).toBeTypeOf('object')
  })

  it('keeps the words of unsafe links and the hostile text readable', async () => {
    const page = await get(f.site, articlePath('hostile-article'))
    const els = elements(page.text)
    expect(textOf(els.find((el) => el.tagName === 'h1')!)).toBe(hostile.article.headline)
    expect(page.text).toContain('رابط أول')
    expect(page.text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    // The https link with a quote in it stays one attribute value.
    const link = els.find((el) => el.tagName === 'a' && (attr(el, 'href') ?? '').startsWith('https://example.org/'))
    expect(link && attr(link, 'href')).toBe('https://example.org/"onmouseover="alert(10)')
    const person = await get(f.site, '/people/hostile-person')
    const hrefs = elements(person.text).map((el) => attr(el, 'href')).filter(Boolean)
    expect(hrefs).toContain('https://example.org/samir')
    expect(JSON.stringify(jsonLd(person.text))).not.toMatch(/javascript:|data:text/)
  })
})

describe('search', () => {
  const search = async (q: string) => {
    const page = await get(f.site, `/search?q=${encodeURIComponent(q)}`)
    expect(page.status).toBe(200)
    return elements(page.text)
      .filter((el) => el.tagName === 'a' && /^\/(articles|quotes)\//.test(attr(el, 'href') ?? '') && el.parentNode && ['h2', 'blockquote'].includes((el.parentNode as {tagName?: string}).tagName ?? ''))
      .map((el) => decodeURIComponent(attr(el, 'href') ?? ''))
  }

  it('«الأمريكية» finds «الأميركية» (seed) and «الأميركيّة» (with shadda)', async () => {
    const found = await search('الأمريكية')
    expect(found).toContain(`/articles/${slug}`)
    expect(found).toContain('/articles/folding-test')
  })

  it.each([
    ['مستشفي', 'ى written ي'],
    ['الرحمة', 'tatweel in the text'],
    ['الصحه', 'ة written ه'],
    ['اعلنت', 'hamza on alef dropped'],
    ['ايمان', 'hamza under alef dropped'],
    ['وزارة الصحة', 'two words, diacritics in the text'],
    ['الـصّـحة', 'tatweel and shadda in the query'],
  ])('%s finds the test article (%s)', async (q) => {
    expect(await search(q)).toContain('/articles/folding-test')
  })

  it('searches quotes too, and finds nothing for words nowhere in the dataset', async () => {
    expect(await search('حراسة عشرات الآلاف')).toEqual(expect.arrayContaining([expect.stringMatching(/^\/quotes\/quote-/)]))
    expect(await search('كلمةغيرموجودةأبداً')).toEqual([])
    expect((await get(f.site, '/search')).status).toBe(200)
  })
})

describe('machines', () => {
  it('/sitemap.xml is well-formed and lists the articles, people and organizations', async () => {
    const res = await get(f.site, '/sitemap.xml')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/)
    const locs = xmlTexts(res.text, 'loc')
    expect(locs).toContain(`${f.site.url}${articlePath(slug)}`)
    expect(locs).toContain(`${f.site.url}/people/christian-james`)
    expect(locs).toContain(`${f.site.url}/organizations/hawar-news-agency`)
  })

  it('/feed.xml is well-formed Atom listing the articles, hostile headline included', async () => {
    const res = await get(f.site, '/feed.xml')
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/atom\+xml/)
    const titles = xmlTexts(res.text, 'title')
    expect(titles).toContain(await f.client.fetch<string>('*[_id == $id][0].headline', {id: articleId}))
    expect(titles).toContain(hostile.article.headline.replace('\u0007', ''))
    expect(xmlTexts(res.text, 'id')).toContain(`${f.site.url}${articlePath(slug)}`)
  })
})

describe('live', () => {
  it('a published change shows on the next request, and in search, without a restart', async () => {
    const headline = `عنوان جديد ${Date.now()}`
    await f.client.patch(articleId).set({headline}).commit({visibility: 'sync'})
    const page = await get(f.site, articlePath(slug))
    expect(textOf(elements(page.text).find((el) => el.tagName === 'h1')!)).toBe(headline)
    const feed = await get(f.site, '/feed.xml')
    expect(xmlTexts(feed.text, 'title')).toContain(headline)
    // The search index follows the lake's listener, a few milliseconds behind the commit.
    const found = await eventually(() => get(f.site, `/search?q=${encodeURIComponent(headline.split(' ').at(-1)!)}`), (p) => p.text.includes(headline))
    expect(found.text).toContain(headline)
  })

  it('a deleted document is gone on the next request', async () => {
    await f.client.delete('article-folding')
    expect((await get(f.site, '/articles/folding-test')).status).toBe(404)
    const page = await eventually(() => get(f.site, `/search?q=${encodeURIComponent('مستشفى')}`), (p) => !p.text.includes('folding-test'))
    expect(page.text).not.toContain('folding-test')
  })
})
