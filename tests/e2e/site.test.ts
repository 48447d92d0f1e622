// The reader's site in a real browser, as `npm run dev` serves it (https://site.localhost:<port>,
// beside the Studio on the same front): a reader's walk, accessibility (axe-core), the Studio's
// Presentation tool with click-to-edit and live draft preview, and a publish reaching an open page.
import fs from 'node:fs'
import path from 'node:path'
import AxeBuilder from '@axe-core/playwright'
import type {SanityClient} from '@sanity/client'
import type {Browser, BrowserContext, Frame, Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, makeTempDir, removeTempDirs} from '../helpers/lake'
import {ARTIFACTS, launchChromium, seedDevLake, startDev, stopDev, type Dev} from './harness'

const SPEAKER = 'كريستيان جيمس'
/** Typed into the headline in the Presentation tool, then published. */
const SUFFIX = ' (محدّث)'
/** Axe impacts that fail the test. */
const BLOCKING = new Set(['serious', 'critical'])

let lakeDir: string
let dev: Dev | undefined
let client: SanityClient
let browser: Browser | undefined
let context: BrowserContext
let reader: Page
let studio: Page
let article: {_id: string; headline: string; slug: string}
const pageErrors: string[] = []
const cspViolations: string[] = []
const failedSiteResponses: string[] = []
const timings: Array<[string, number]> = []
const started = Date.now()
const mark = (step: string) => timings.push([step, Math.round((Date.now() - started) / 100) / 10])

const articlePath = () => `/articles/${encodeURIComponent(article.slug)}`

function watch(page: Page, name: string): void {
  page.on('pageerror', (error) => pageErrors.push(`${name}: ${error.stack ?? error.message}`))
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(`${name}: ${message.text().slice(0, 300)}`)
  })
  page.on('response', (response) => {
    const url = new URL(response.url())
    if (response.status() >= 400 && url.hostname === 'site.localhost') failedSiteResponses.push(`${name}: ${response.status()} ${url.pathname}`)
  })
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({path: path.join(ARTIFACTS, name), fullPage: false})
}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, {recursive: true})
  lakeDir = makeTempDir('site-e2e-')
  dev = await startDev(lakeDir)
  mark('npm run dev ready')
  await seedDevLake(lakeDir, dev)
  mark('npm run seed done')
  client = lakeClient({url: dev.lakeUrl, token: dev.token})
  article = await client.fetch('*[_type == "article"][0]{_id, headline, "slug": slug.current}')
  expect(article?.slug).toBe('الولايات-المتحدة-ستجدد-جهودها-للتوصل-لتسوية-سياسية-تنهي-الحرب-في-سوريا')

  browser = await launchChromium()
  // The certificate is the lake's self-signed one; a person accepts it once (docs/studio.md).
  context = await browser.newContext({ignoreHTTPSErrors: true, viewport: {width: 1280, height: 900}, locale: 'ar'})
  reader = await context.newPage()
  watch(reader, 'reader')
  studio = await context.newPage()
  watch(studio, 'studio')
}, 300_000)

afterAll(async () => {
  console.log(`site e2e timings (s since start): ${timings.map(([s, t]) => `${s} ${t}`).join('; ')}`)
  await browser?.close()
  await stopDev(dev)
  removeTempDirs()
})

function noErrors(): void {
  expect(pageErrors, 'uncaught errors in the pages').toEqual([])
  expect(cspViolations, 'Content-Security-Policy violations').toEqual([])
  expect(failedSiteResponses, 'failed requests to the site').toEqual([])
}

describe('the reader site under npm run dev', () => {
  it('is printed by npm run dev and leads a reader from the home page to an article, a quote and its speaker, right-to-left', async () => {
    expect(dev!.siteOrigin).toMatch(/^https:\/\/site\.localhost:\d+$/)
    expect(new URL(dev!.siteOrigin).port).toBe(new URL(dev!.origin).port)

    await reader.goto(`${dev!.siteOrigin}/`)
    expect(await reader.locator('html').getAttribute('dir')).toBe('rtl')
    await shot(reader, 'site-1-home.png')

    await reader.locator(`main a[href="${articlePath()}"]`).first().click()
    await reader.waitForURL((url) => url.pathname === articlePath())
    await expect.poll(() => reader.locator('h1').textContent()).toBe(article.headline)
    // Canonical links name the front's https address (SITE_URL set by npm run dev).
    expect(await reader.locator('link[rel=canonical]').getAttribute('href')).toBe(`${dev!.siteOrigin}${articlePath()}`)
    const paragraph = reader.locator('main article p[id]').first()
    expect(await paragraph.evaluate((el) => getComputedStyle(el).direction)).toBe('rtl')
    expect(await reader.locator('main article').evaluate((el) => getComputedStyle(el).direction)).toBe('rtl')
    await shot(reader, 'site-2-article.png')

    const quoteLink = reader.locator('section[aria-labelledby="quotes-title"] a[href^="/quotes/"]').first()
    const quoteText = (await quoteLink.textContent())?.trim()
    await quoteLink.click()
    await reader.waitForURL((url) => url.pathname.startsWith('/quotes/'))
    expect(await reader.locator('main').textContent()).toContain(quoteText)
    await shot(reader, 'site-3-quote.png')

    const speakerLink = reader.locator('main a[href^="/people/"]').first()
    expect((await speakerLink.textContent())?.trim()).toBe(SPEAKER)
    await speakerLink.click()
    await reader.waitForURL((url) => url.pathname.startsWith('/people/'))
    expect(await reader.locator('h1').textContent()).toContain(SPEAKER)
    // The person's quotes include the one we came from.
    expect(await reader.locator('main').textContent()).toContain(quoteText)
    expect(await reader.locator('h1').evaluate((el) => getComputedStyle(el).direction)).toBe('rtl')
    await shot(reader, 'site-4-person.png')
    mark('reader walk')
    noErrors()
  })

  it('has no serious or critical accessibility violations (axe-core) on home, article, person, quote and search pages', async () => {
    const quote = await client.fetch<{_id: string; speaker: string}>('*[_type == "quote" && speaker->name == $name][0]{_id, "speaker": speaker->slug.current}', {name: SPEAKER})
    const pages = ['/', articlePath(), `/people/${quote.speaker}`, `/quotes/${quote._id}`, `/search?q=${encodeURIComponent('الأمريكية')}`]
    const problems: string[] = []
    const minor: string[] = []
    // Both colour schemes: the site follows prefers-color-scheme, and contrast differs between them.
    for (const colorScheme of ['light', 'dark'] as const) {
      await reader.emulateMedia({colorScheme})
      for (const target of pages) {
        const answer = await reader.goto(`${dev!.siteOrigin}${target}`)
        expect(answer?.status(), target).toBe(200)
        const results = await new AxeBuilder({page: reader}).analyze()
        // axe ran its rules on this page (a page it could not analyse would pass nothing).
        expect(results.passes.length, target).toBeGreaterThan(10)
        for (const v of results.violations) {
          const line = `${colorScheme} ${target}: ${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`
          ;(BLOCKING.has(v.impact ?? '') ? problems : minor).push(line)
        }
      }
    }
    await reader.emulateMedia({colorScheme: 'light'})
    if (minor.length) console.log(`axe, minor and moderate:\n  ${minor.join('\n  ')}`)
    expect(problems).toEqual([])
    // Search folds spelling variants: «الأمريكية» finds the article's «الأميركية».
    expect(await reader.locator('main').textContent()).toContain(article.headline)
    mark('axe')
    noErrors()
  })

  it('the Presentation tool shows the article; the headline overlay focuses the field; typing changes the preview', async () => {
    // A reader keeps the article open meanwhile; drafts must never reach it.
    await reader.goto(`${dev!.siteOrigin}${articlePath()}`)
    await reader.evaluate(() => ((window as unknown as {notReloaded: boolean}).notReloaded = true))

    await studio.goto(dev!.loginUrl)
    await expect.poll(() => new URL(studio.url()).pathname, {timeout: 120_000}).not.toContain('__lake-login')
    await studio.goto(`${dev!.origin}/presentation?preview=${encodeURIComponent(articlePath())}`)
    let frame: Frame | undefined
    await expect
      .poll(
        () => {
          frame = studio.frames().find((f) => f.url().startsWith(`${dev!.siteOrigin}${articlePath()}`))
          return Boolean(frame)
        },
        {timeout: 120_000},
      )
      .toBe(true)
    const h1 = frame!.locator('h1[data-sanity]')
    await h1.waitFor({timeout: 60_000})
    // Preview mode went through the Studio's secret (/api/draft-mode/enable): the banner shows.
    await expect.poll(() => frame!.locator('.preview-banner').count()).toBe(1)
    expect(await h1.getAttribute('data-sanity')).toContain('path=headline')
    expect(await h1.getAttribute('data-sanity')).toContain(encodeURIComponent(dev!.origin))
    // The tool opened the page's main document in the form beside it.
    const headlineInput = studio.locator('[data-testid="field-headline"] input')
    await expect.poll(() => headlineInput.inputValue(), {timeout: 60_000}).toBe(article.headline)
    mark('presentation open')

    // Click the overlay over the headline, as an editor would (the overlay draws over the page). The
    // overlays are wired up over the Presentation channel after the page shows: a click that lands
    // before that does nothing, and an editor clicks again, so the test does too (at most 4 times).
    const box = await h1.boundingBox()
    expect(box).not.toBeNull()
    const headlineFocused = () => studio.evaluate(() => document.activeElement?.closest('[data-testid="field-headline"]') != null)
    let clicks = 0
    for (; clicks < 4 && !(await headlineFocused()); clicks++) {
      await studio.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2)
      await studio.waitForTimeout(300)
      await studio.mouse.click(box!.x + box!.width / 2, box!.y + box!.height / 2)
      await expect
        .poll(headlineFocused, {timeout: 5_000})
        .toBe(true)
        .catch(() => undefined)
    }
    expect(await headlineFocused(), `the headline field has focus after ${clicks} click(s) on its overlay`).toBe(true)
    await shot(studio, 'site-5-presentation-focus.png')
    mark(`overlay focused the field (${clicks} click${clicks === 1 ? '' : 's'})`)

    await studio.keyboard.press('End')
    await studio.keyboard.type(SUFFIX, {delay: 25})
    await expect.poll(() => headlineInput.inputValue()).toBe(article.headline + SUFFIX)
    // The draft reaches the preview without a reload of the Studio: the site hears it and swaps the page.
    await expect.poll(() => frame!.locator('h1').textContent(), {timeout: 30_000}).toBe(article.headline + SUFFIX)
    await shot(studio, 'site-6-presentation-typed.png')
    mark('preview follows typing')

    // The reader's page shows the published headline still, and so does a new one in the same
    // browser: the preview cookie set inside the Studio's frame is partitioned to the Studio.
    expect(await reader.locator('h1').textContent()).toBe(article.headline)
    expect(await reader.locator('.preview-banner').count()).toBe(0)
    const other = await context.newPage()
    await other.goto(`${dev!.siteOrigin}${articlePath()}`)
    expect(await other.locator('h1').textContent()).toBe(article.headline)
    expect(await other.locator('.preview-banner').count()).toBe(0)
    await other.close()
    noErrors()
  })

  it('publishing in the Studio shows the edit on the open article page without a reload', async () => {
    const publish = studio.locator('[data-testid="action-publish"]').or(studio.getByRole('button', {name: 'Publish', exact: true})).first()
    await expect.poll(() => publish.isEnabled(), {timeout: 60_000}).toBe(true)
    await publish.click()
    await expect
      .poll(async () => (await client.fetch<{headline: string} | null>('*[_id == $id][0]{headline}', {id: article._id}, {perspective: 'published'}))?.headline, {
        timeout: 60_000,
      })
      .toBe(article.headline + SUFFIX)
    mark('published')
    // live.js heard the publish on /api/live and swapped the page's <main>: same document, new headline.
    await expect.poll(() => reader.locator('h1').textContent(), {timeout: 30_000}).toBe(article.headline + SUFFIX)
    expect(await reader.evaluate(() => (window as unknown as {notReloaded?: boolean}).notReloaded)).toBe(true)
    await reader.bringToFront()
    await shot(reader, 'site-7-live-after-publish.png')
    mark('open page updated')
    noErrors()
  })
})
