// Right to left in the Studio's lists, references and titles; the newsroom workflow; the Arabic interface.
// A real Studio (npm run dev) on a fresh seeded lake, in headless Chromium. Screenshots: test-results/studio-rtl-*.png.
import path from 'node:path'
import fs from 'node:fs'
import type {SanityClient} from '@sanity/client'
import type {Browser, Locator, Page} from 'playwright-core'
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, makeTempDir, removeTempDirs} from '../helpers/lake'
import {AR_LOCALE_ID, studioStrings, structureStrings} from '../../src/studio/locale/ar'
import {arabicTitles} from '../../src/studio/locale/fields'
import {ARTIFACTS, launchChromium, logIn, newStudioPage, seedDevLake, startDev, stopDev, type Dev} from './harness'

/** Long enough to overflow any list row; it ends in a closing quote mark, as headlines often do. */
const LONG_HEADLINE =
  'المبعوث الأممي يدعو الأطراف السورية إلى العودة إلى طاولة المفاوضات في جنيف قبل نهاية الشهر المقبل من أجل التوصل لتسوية سياسية «تنهي الحرب في سوريا»'
const FIRST_WORD = 'المبعوث'
/** A preview's title text, the span that clips it. */
const QUOTE_TITLE = '[data-testid="default-preview__header"] > [data-ui="Text"]:first-child > span > span'
const AGENCY = {name: 'وكالة أنباء هاوار', shortNames: ['هاوار', 'ANHA'], nameLatin: 'Hawar News Agency'}
const AGENCY_TITLE = 'وكالة أنباء هاوار (هاوار، ANHA)'

let lakeDir: string
let dev: Dev | undefined
let client: SanityClient
let browser: Browser | undefined
let page: Page
const pageErrors: string[] = []
/** 5xx answers the page got (a failed module load leaves the Studio blank): printed when a test fails. */
const serverErrors: string[] = []
const ids = {article: 'rtl-long-article', agency: 'rtl-hawar', quote: 'rtl-long-quote', speaker: ''}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, {recursive: true})
  lakeDir = makeTempDir('studio-rtl-')
  dev = await startDev(lakeDir)
  await seedDevLake(lakeDir, dev)
  client = lakeClient({url: dev.lakeUrl, token: dev.token})
  const speaker = await client.fetch<{_id: string}>('*[_type == "person" && defined(name)][0]{_id}')
  ids.speaker = speaker._id
  // A long headline, an agency with a mixed Arabic/Latin title, a quote referring to both. The article
  // has no publishedAt, so publishing it in the Studio must set one.
  await client
    .transaction()
    .createOrReplace({_id: ids.agency, _type: 'organization', ...AGENCY, kind: 'newsAgency', slug: {_type: 'slug', current: 'hawar-news-agency'}})
    .createOrReplace({
      _id: `drafts.${ids.article}`,
      _type: 'article',
      language: 'ar',
      headline: LONG_HEADLINE,
      slug: {_type: 'slug', current: 'rtl-long-headline'},
      status: 'inReview',
      sourceAgency: {_type: 'reference', _ref: ids.agency},
      body: [{_type: 'block', _key: 'b1', style: 'normal', markDefs: [], children: [{_type: 'span', _key: 's1', text: 'نص قصير.', marks: []}]}],
    })
    .createOrReplace({
      _id: ids.quote,
      _type: 'quote',
      language: 'ar',
      kind: 'direct',
      text: `${LONG_HEADLINE} ${LONG_HEADLINE}`,
      speaker: {_type: 'reference', _ref: ids.speaker},
      article: {_type: 'reference', _ref: ids.article, _weak: true, _strengthenOnPublish: {type: 'article'}},
    })
    .commit()

  browser = await launchChromium()
  // Narrow enough that the long headline overflows the list pane.
  page = await newStudioPage(browser, {width: 1280, height: 900, locale: 'en-US'}, pageErrors)
  page.on('response', (response) => {
    if (response.status() >= 500) serverErrors.push(`${response.status()} ${response.request().method()} ${response.url()}`)
  })
  await logIn(page, dev)
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await stopDev(dev)
  removeTempDirs()
})

// A failing test leaves a picture of the page, to tell a slow Studio from a wrong one, and the page's
// 5xx answers and uncaught errors so far.
afterEach(async ({task}) => {
  if (!page || !task.result?.errors?.length) return
  await shot(`failed-${task.name.slice(0, 40).replace(/[^\w]+/g, '-')}`).catch(() => {})
  console.log(`${task.name}: 5xx answers so far: ${serverErrors.join('; ') || 'none'}; page errors: ${pageErrors.join('; ').slice(0, 2000) || 'none'}`)
})

const shot = (name: string) => page.screenshot({path: path.join(ARTIFACTS, `studio-rtl-${name}.png`)})

interface Layout {
  direction: string
  box: {left: number; right: number}
  /** Where each named piece of the text is drawn (its first rect), in logical order of the pieces. */
  pieces: Array<{text: string; left: number; right: number} | null>
  overflows: boolean
  textOverflow: string
}

/** How an element draws its text: its direction and box, and where given substrings land. */
function layoutOf(locator: Locator, pieces: string[]): Promise<Layout> {
  return locator.evaluate((el, pieces) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT)
    const nodes: Text[] = []
    for (let n = walker.nextNode(); n; n = walker.nextNode()) nodes.push(n as Text)
    const all = nodes.map((n) => n.data).join('')
    const locate = (offset: number): [Text, number] => {
      for (const node of nodes) {
        if (offset <= node.data.length) return [node, offset]
        offset -= node.data.length
      }
      throw new Error('offset beyond the text')
    }
    const rectOf = (piece: string) => {
      const at = all.indexOf(piece)
      if (at < 0) return null
      const range = document.createRange()
      range.setStart(...locate(at))
      range.setEnd(...locate(at + piece.length))
      const rect = range.getClientRects()[0]
      return rect ? {text: piece, left: rect.left, right: rect.right} : null
    }
    // The box that clips: the nearest element around the text with hidden overflow (else the element itself).
    let clip: Element | null = nodes[0]?.parentElement ?? el
    while (clip && clip !== el.parentElement && !['hidden', 'clip'].includes(getComputedStyle(clip).overflowX)) clip = clip.parentElement
    if (!clip || clip === el.parentElement) clip = el
    const box = clip.getBoundingClientRect()
    const style = getComputedStyle(clip)
    return {
      direction: getComputedStyle(nodes[0]?.parentElement ?? el).direction,
      box: {left: box.left, right: box.right},
      pieces: pieces.map(rectOf),
      // The whole text's extent against the clipping box (scrollWidth is not told for overflow: clip).
      overflows: (() => {
        const whole = document.createRange()
        whole.selectNodeContents(el)
        const rects = [...whole.getClientRects()]
        return rects.some((r) => r.left < box.left - 1 || r.right > box.right + 1 || r.bottom > box.bottom + 1)
      })(),
      textOverflow: style.textOverflow,
    }
  }, pieces)
}

/** The first word shows at the right edge; the overflow (if any) is cut on the left, where the ellipsis goes. */
function expectArabicStart(layout: Layout, label: string): void {
  const [first, last] = layout.pieces
  expect(first, `${label}: first word drawn`).not.toBeNull()
  expect(first!.right, `${label}: first word at the right edge`).toBeGreaterThan(layout.box.right - 24)
  expect(first!.left, `${label}: first word inside the box`).toBeGreaterThanOrEqual(layout.box.left - 1)
  if (layout.overflows && last) {
    expect(layout.textOverflow, `${label}: cut with an ellipsis`).toBe('ellipsis')
    expect(last.left, `${label}: the end is what is cut, on the left`).toBeLessThan(first!.left)
  }
}

interface QuoteLines {
  box: {left: number; right: number}
  /** Drawn lines inside the clipping box, top to bottom: each line's left and right ends. */
  lines: Array<{left: number; right: number}>
  /** Rects of text laid out below the box (cut off). */
  hiddenRects: number
  firstWord: {left: number; right: number; top: number} | null
  lineClamp: string
  textOverflow: string
}

/** The drawn line boxes of a preview title (its text span, which clips), measured with Range rects. */
function quoteLinesOf(title: Locator, firstWord: string): Promise<QuoteLines> {
  return title.evaluate((el, firstWord) => {
    const box = el.getBoundingClientRect()
    const all = document.createRange()
    all.selectNodeContents(el)
    const rects = [...all.getClientRects()].filter((r) => r.width > 0)
    const lines = new Map<number, {left: number; right: number}>()
    for (const r of rects) {
      if (r.bottom > box.bottom + 1 || r.top < box.top - 1) continue
      const key = Math.round(r.top)
      const line = lines.get(key)
      lines.set(key, {left: Math.min(line?.left ?? Infinity, r.left), right: Math.max(line?.right ?? -Infinity, r.right)})
    }
    const text = el.firstChild as Text
    const at = text.data.indexOf(firstWord)
    let firstWordRect: {left: number; right: number; top: number} | null = null
    if (at >= 0) {
      const word = document.createRange()
      word.setStart(text, at)
      word.setEnd(text, at + firstWord.length)
      const r = word.getClientRects()[0]
      if (r) firstWordRect = {left: r.left, right: r.right, top: r.top}
    }
    const style = getComputedStyle(el)
    return {
      box: {left: box.left, right: box.right},
      lines: [...lines.entries()].sort(([a], [b]) => a - b).map(([, line]) => line),
      hiddenRects: rects.filter((r) => r.top >= box.bottom - 1).length,
      firstWord: firstWordRect,
      lineClamp: style.webkitLineClamp,
      textOverflow: style.textOverflow,
    }
  }, firstWord)
}

/** Two lines drawn, the first Arabic word at the right edge of the first, the rest cut after the second's left end. */
function expectTwoArabicLines(m: QuoteLines, label: string): void {
  expect(m.lines.length, `${label}: lines drawn`).toBe(2)
  expect(m.hiddenRects, `${label}: the quote goes on past two lines (else this proves nothing)`).toBeGreaterThan(0)
  expect(m.lineClamp, `${label}: clamped to two lines`).toBe('2')
  expect(m.textOverflow, `${label}: cut with an ellipsis`).toBe('ellipsis')
  expect(m.firstWord, `${label}: first word drawn`).not.toBeNull()
  expect(m.firstWord!.right, `${label}: first word at the right edge`).toBeGreaterThan(m.box.right - 24)
  const [first, second] = m.lines
  expect(Math.abs(first!.right - m.firstWord!.right), `${label}: the first line starts with the first word`).toBeLessThan(2)
  // The second line runs out towards the box's left end, where the cut (and the ellipsis) is: it fills
  // most of the width (short of a word that did not fit), and the text goes on below, unseen.
  const width = m.box.right - m.box.left
  expect(second!.left, `${label}: second line inside the box`).toBeGreaterThanOrEqual(m.box.left - 1)
  expect(second!.left, `${label}: second line reaches the left end`).toBeLessThan(m.box.left + width / 4)
  expect(second!.left, `${label}: the cut is at the visual left, past the first word`).toBeLessThan(m.firstWord!.left)
  expect(second!.right, `${label}: second line starts at the right edge`).toBeGreaterThan(m.box.right - 24)
}

function noPageErrors() {
  expect(pageErrors, 'uncaught errors in the Studio page').toEqual([])
}

describe('Studio, right to left', () => {
  it('a list row shows the Arabic headline from its first word, cut at the left', async () => {
    await page.goto(`${dev!.origin}/structure/article`)
    // List rows do not go through the type's preview component; the global style sets their direction.
    const title = page.locator('[data-testid="document-list-pane"] [data-testid="default-preview__header"] [data-ui="Text"]', {hasText: FIRST_WORD}).first()
    await title.waitFor({timeout: 120_000})
    const layout = await layoutOf(title, [FIRST_WORD, 'سوريا»'])
    expect(layout.overflows, 'the long headline overflows the row (else this proves nothing)').toBe(true)
    expectArabicStart(layout, 'list row')
    await shot('1-list')
    noPageErrors()
  })

  it('a long quote in the quotes list shows two lines, from its first word, cut at the left end of the second', async () => {
    await page.goto(`${dev!.origin}/structure/quotes;quote`)
    const title = page.locator(`[data-testid="document-list-pane"] a[href$=";${ids.quote}"] ${QUOTE_TITLE}`)
    await title.waitFor({timeout: 60_000})
    expectTwoArabicLines(await quoteLinesOf(title, FIRST_WORD), 'quote list row')
    // The row grew to hold both lines and the speaker: the next row starts below this one.
    const rows = await page.locator('[data-testid="document-list-pane"] [data-testid="default-preview"]').evaluateAll((els) =>
      els.slice(0, 2).map((el) => el.getBoundingClientRect()).map((r) => ({top: r.top, bottom: r.bottom})),
    )
    if (rows.length === 2) expect(rows[1]!.top).toBeGreaterThanOrEqual(rows[0]!.bottom - 1)
    await shot('1b-quote-list')
    noPageErrors()
  })

  it('the agency title keeps its brackets and Latin in logical order', async () => {
    await page.goto(`${dev!.origin}/structure/organization`)
    const title = page.locator('[data-testid="document-list-pane"] [data-testid="default-preview__header"] [data-ui="Text"]', {hasText: 'ANHA'}).first()
    await title.waitFor({timeout: 60_000})
    expect(await title.textContent()).toBe(AGENCY_TITLE)
    // Right to left: «وكالة» rightmost, then «(هاوار،», then «ANHA», and «)» leftmost.
    const layout = await layoutOf(title, ['وكالة', '(', 'هاوار،', 'ANHA', ')'])
    const [agency, open, short, latin, close] = layout.pieces
    for (const p of layout.pieces) expect(p).not.toBeNull()
    expect(agency!.left).toBeGreaterThan(open!.right - 1)
    expect(open!.left).toBeGreaterThan(short!.left)
    expect(short!.left).toBeGreaterThan(latin!.right - 1)
    expect(latin!.left).toBeGreaterThan(close!.left)
    await shot('2-agency')
  })

  it('a search hit shows the first word', async () => {
    await page.goto(`${dev!.origin}/structure`)
    await page.getByText('Articles', {exact: true}).first().waitFor({timeout: 60_000})
    await page.keyboard.press('Control+k')
    await page.locator('input[placeholder="Search"]').first().waitFor({timeout: 30_000})
    await page.keyboard.type(FIRST_WORD, {delay: 20})
    const hit = page.locator('[data-testid="search-results"] [data-testid="default-preview__header"] [data-ui="Text"]', {hasText: FIRST_WORD}).first()
    await hit.waitFor({timeout: 60_000})
    expectArabicStart(await layoutOf(hit, [FIRST_WORD, 'سوريا»']), 'search hit')
    await shot('3-search')
    // The quote's hit gets two lines, in the search list's fixed row height.
    const quoteHit = page.locator(`[data-testid="search-results"] a[href*="id=${ids.quote};"] ${QUOTE_TITLE}`)
    await quoteHit.waitFor({timeout: 60_000})
    expectTwoArabicLines(await quoteLinesOf(quoteHit, FIRST_WORD), 'quote search hit')
    const fits = await page.locator(`[data-testid="search-results"] a[href*="id=${ids.quote};"]`).evaluate((a) => {
      const row = a.closest('li')!.getBoundingClientRect()
      const header = a.querySelector('[data-testid="default-preview__header"]')!.getBoundingClientRect()
      return header.top >= row.top - 1 && header.bottom <= row.bottom + 1
    })
    expect(fits, 'two lines and the speaker fit in the search row').toBe(true)
    await shot('3b-quote-search')
    await page.keyboard.press('Escape')
  })

  it('a reference preview shows the first words of its Arabic title', async () => {
    await page.goto(`${dev!.origin}/intent/edit/id=${ids.quote};type=quote`)
    const ref = page.locator('[data-testid="document-pane"] [data-directional-preview="rtl"]', {hasText: FIRST_WORD}).first()
    await ref.waitFor({timeout: 60_000})
    const refLayout = await layoutOf(ref, [FIRST_WORD, 'سوريا»'])
    expect(refLayout.direction).toBe('rtl')
    expectArabicStart(refLayout, 'reference preview')
    await shot('4-reference')
    noPageErrors()
  })

  it('the document title and pane header are right-aligned, with the closing » at the far left', async () => {
    await page.goto(`${dev!.origin}/intent/edit/id=${ids.article};type=article`)
    const heading = page.locator('[data-testid="document-panel-document-title"]')
    await expect.poll(() => heading.textContent(), {timeout: 60_000}).toBe(LONG_HEADLINE)
    const layout = await layoutOf(heading, [FIRST_WORD, '»'])
    const [first, close] = layout.pieces
    expect(first!.right).toBeGreaterThan(layout.box.right - 24)
    // The heading wraps; on its last line the closing » ends the text, on the left.
    expect(close!.left).toBeLessThan(first!.left)
    const header = page.locator('[data-testid="pane-header"]', {hasText: FIRST_WORD}).last().locator('[data-ui="Text"]', {hasText: FIRST_WORD}).first()
    expect(await header.evaluate((el) => getComputedStyle(el).unicodeBidi)).toBe('plaintext')
    await shot('5-document-title')
  })
})

describe('Newsroom workflow', () => {
  it('publishing sets publishedAt', async () => {
    const before = Date.now()
    const publish = page.locator('[data-testid="action-publish"]').first()
    await expect.poll(() => publish.isEnabled(), {timeout: 60_000}).toBe(true)
    await publish.click()
    await expect
      .poll(async () => (await client.fetch<{publishedAt?: string} | null>('*[_id == $id][0]{publishedAt}', {id: ids.article}, {perspective: 'published'}))?.publishedAt ?? null, {
        timeout: 60_000,
      })
      .not.toBeNull()
    const {publishedAt} = await client.fetch<{publishedAt: string}>('*[_id == $id][0]{publishedAt}', {id: ids.article}, {perspective: 'published'})
    expect(Date.parse(publishedAt)).toBeGreaterThanOrEqual(before - 60_000)
    expect(Date.parse(publishedAt)).toBeLessThanOrEqual(Date.now() + 60_000)
    await shot('6-published')
    noPageErrors()
  })

  it('lists "In review", "Missing image" and "Published today" hold the article', async () => {
    for (const list of ['in-review', 'missing-image', 'published-today']) {
      await page.goto(`${dev!.origin}/structure/${list}`)
      await page.locator('[data-testid="document-list-pane"] [data-testid="default-preview__header"]', {hasText: FIRST_WORD}).first().waitFor({timeout: 60_000})
    }
    // The seeded article is neither in review nor published today (the importer dated it from its source).
    await page.goto(`${dev!.origin}/structure/in-review`)
    const seeded = await client.fetch<string>('*[_type == "article" && _id != $id][0].headline', {id: ids.article})
    expect(await page.locator('[data-testid="document-list-pane"]').last().textContent()).not.toContain(seeded.slice(0, 20))
    await shot('6b-in-review')
  })
  // The "+" flows under Quotes → By speaker: tests/e2e/studio-workflow.test.ts.
})

describe('Editor-friendly fields', () => {
  it('the quote annotation popover names the speaker and the first words', async () => {
    interface Block {markDefs?: Array<{_key: string; _type: string; quote?: {_ref: string}}>; children?: Array<{text: string; marks?: string[]}>}
    const article = await client.fetch<{_id: string; body: Block[]}>('*[_type == "article" && defined(body[].markDefs[_type == "quote"])][0]{_id, body}')
    const block = article.body.find((b) => b.markDefs?.some((d) => d._type === 'quote'))!
    const def = block.markDefs!.find((d) => d._type === 'quote')!
    const span = block.children!.find((c) => c.marks?.includes(def._key) && c.text.trim().split(/\s+/).length >= 3)!
    const quote = await client.fetch<{speaker: string}>('*[_id == $id][0]{"speaker": speaker->name}', {id: def.quote!._ref})
    const word = span.text.trim().split(/\s+/)[1]!

    await page.goto(`${dev!.origin}/intent/edit/id=${article._id};type=article`)
    const body = page.locator('[data-testid="field-body"] [contenteditable="true"]').first()
    await expect.poll(() => body.textContent(), {timeout: 60_000}).toContain(span.text.trim())
    // Inside the annotated words: the second word of the quote's first span, as an editor would click it.
    const target = body.locator('span[data-annotation]', {hasText: span.text.trim()}).first()
    await target.scrollIntoViewIfNeeded()
    const point = await target.evaluate((el, word) => {
      const node = el.querySelector('[data-slate-string]')?.firstChild as Text | null
      const at = node ? node.data.indexOf(word) : -1
      if (!node || at < 0) return null
      const range = document.createRange()
      range.setStart(node, at + 1)
      range.setEnd(node, at + 2)
      const rect = range.getBoundingClientRect()
      return {x: rect.x + rect.width / 2, y: rect.y + rect.height / 2}
    }, word)
    expect(point, `«${word}» in the body editor`).not.toBeNull()
    await page.mouse.click(point!.x, point!.y)
    const popover = page.locator('[data-testid="annotation-toolbar-popover"]')
    await expect.poll(() => popover.textContent(), {timeout: 30_000}).toContain(quote.speaker)
    expect(await popover.textContent()).toMatch(/Quote — .*«/)
    await shot('10-annotation')
    noPageErrors()
  })
})

describe('Images', () => {
  it('an image uploaded in the form and published is served resized by the lake and shown on the site', async () => {
    const {default: sharp} = await import('sharp')
    const png = await sharp({create: {width: 800, height: 600, channels: 3, background: {r: 200, g: 40, b: 40}}}).png().toBuffer()
    const draftId = `drafts.${ids.article}`
    await page.goto(`${dev!.origin}/intent/edit/id=${ids.article};type=article`)
    await page.locator('[data-testid="field-headline"]').waitFor({timeout: 60_000})
    // The article's one image input (Main image); the file input itself is hidden behind its button.
    const upload = page.locator('input[type="file"]').first()
    await upload.waitFor({state: 'attached', timeout: 60_000})
    await upload.setInputFiles({name: 'main.png', mimeType: 'image/png', buffer: png})
    await expect
      .poll(() => client.fetch<string | null>('*[_id == $id][0].mainImage.asset._ref', {id: draftId}, {perspective: 'raw'}), {timeout: 60_000})
      .toMatch(/^image-[0-9a-f]{40}-800x600-png$/)
    const alt = 'صورة حمراء للاختبار'
    await page.locator('[data-testid="field-mainImage.alt"] input').fill(alt)
    await expect.poll(() => client.fetch<string | null>('*[_id == $id][0].mainImage.alt', {id: draftId}, {perspective: 'raw'}), {timeout: 60_000}).toBe(alt)
    await shot('8-image-uploaded')
    const publish = page.locator('[data-testid="action-publish"]').first()
    await expect.poll(() => publish.isEnabled(), {timeout: 60_000}).toBe(true)
    await publish.click()
    const published = () =>
      client.fetch<{alt: string; url: string} | null>('*[_id == $id][0].mainImage{alt, "url": asset->url}', {id: ids.article}, {perspective: 'published'})
    await expect.poll(async () => (await published())?.alt ?? null, {timeout: 60_000}).toBe(alt)
    const {url} = (await published())!
    // Uploaded through the dev front, the asset's URL names that origin; this process reaches the lake directly.
    const resized = await fetch(`${dev!.lakeUrl}${new URL(url).pathname}?w=400`)
    expect(resized.status).toBe(200)
    const meta = await sharp(Buffer.from(await resized.arrayBuffer())).metadata()
    expect([meta.width, meta.height]).toEqual([400, 300])
    // The reader's page in a tab of its own, so the Studio tab stays on the Studio's origin.
    const reader = await page.context().newPage()
    try {
      await reader.goto(`${dev!.siteOrigin}/articles/rtl-long-headline`)
      const img = reader.locator('figure.main-image img')
      await img.waitFor({timeout: 60_000})
      expect(await img.getAttribute('alt')).toBe(alt)
      await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth), {timeout: 30_000}).toBeGreaterThan(0)
      await reader.screenshot({path: path.join(ARTIFACTS, 'studio-rtl-9-site-image.png')})
    } finally {
      await reader.close()
    }
    noPageErrors()
  })
})

describe('Arabic interface', () => {
  it('switching to العربية in the top bar translates the structure, field titles, status chips and footer', async () => {
    await page.goto(`${dev!.origin}/intent/edit/id=${ids.article};type=article`)
    await expect.poll(() => page.locator('[data-testid="document-panel-document-title"]').textContent(), {timeout: 60_000}).toBe(LONG_HEADLINE)
    const headlineLabel = page.locator('[data-testid="field-headline"] label').first()
    expect(await headlineLabel.textContent()).toBe('Headline')
    // The Studio's own menu no longer lists languages (Sanity 5); the newsroom's switch is in the top bar.
    await page.getByTestId('newsroom-language-button').click({timeout: 60_000})
    await page.getByTestId(`newsroom-language-${AR_LOCALE_ID}`).click()
    // This package's titles: the structure, the headline field (isolated right to left), the field groups.
    await page.getByText(arabicTitles.Articles!, {exact: true}).first().waitFor({timeout: 120_000})
    await expect.poll(() => headlineLabel.textContent(), {timeout: 60_000}).toBe(`\u2067${arabicTitles.Headline}\u2069`)
    await page.locator('[data-testid="group-tab-content"]', {hasText: arabicTitles.Content!}).waitFor({timeout: 60_000})
    // Sanity's own strings: the status chips, the group tab for all fields, the footer's status and Publish.
    // The chips' test ids carry their (translated) text.
    const chips = page.locator('[data-testid^="document-header-"][data-testid$="-chip"]')
    await expect.poll(() => chips.allTextContents(), {timeout: 60_000}).toEqual([studioStrings['release.chip.published'], studioStrings['release.chip.draft']])
    await page.locator('[data-testid="group-tab-all-fields"]', {hasText: studioStrings['inputs.object.field-group-tabs.all-fields-title']!}).waitFor({timeout: 60_000})
    const footer = page.locator('[data-testid="pane-footer-document-status"]')
    // The footer tells the last event in Arabic: published, edited, or the draft created.
    const footerState = new RegExp(
      ['timeline.operation.published', 'timeline.operation.edited-draft', 'timeline.operation.draft-created', 'document-status.last-published']
        .map((key) => studioStrings[key])
        .join('|'),
    )
    await expect.poll(async () => (await footer.textContent()) ?? '', {timeout: 60_000}).toMatch(footerState)
    expect(await footer.textContent()).not.toMatch(/Edited|Published|Draft created|Last published|just now/)
    await page.getByRole('button', {name: new RegExp(`^(${structureStrings['action.publish.label']}|${structureStrings['action.publish.published.label']})$`)}).first().waitFor({timeout: 60_000})
    expect(await page.evaluate(() => localStorage.getItem('sanity-locale:local:default'))).toBe(AR_LOCALE_ID)
    await shot('9-arabic')
    // And back: the same switch, English labels again.
    await page.getByTestId('newsroom-language-button').click()
    await page.getByTestId('newsroom-language-en-US').click()
    await expect.poll(() => headlineLabel.textContent(), {timeout: 60_000}).toBe('Headline')
    await expect.poll(() => chips.allTextContents(), {timeout: 60_000}).toEqual(['Published', 'Draft'])
    noPageErrors()
  })
})
