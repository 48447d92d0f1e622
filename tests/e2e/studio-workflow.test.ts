// The newsroom's "+" flows under Quotes → By speaker, and one message per slug problem.
// A real Studio (npm run dev) on a fresh seeded lake, in headless Chromium. Screenshots: test-results/studio-workflow-*.png.
import fs from 'node:fs'
import path from 'node:path'
import type {SanityClient} from '@sanity/client'
import type {Browser, Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {messages} from '../../src/content/rules'
import {lakeClient, makeTempDir, removeTempDirs} from '../helpers/lake'
import {ARTIFACTS, launchChromium, logIn, newStudioPage, seedDevLake, startDev, stopDev, type Dev} from './harness'

let lakeDir: string
let dev: Dev | undefined
let client: SanityClient
let browser: Browser | undefined
let page: Page
const pageErrors: string[] = []
let speaker: {_id: string; name: string}

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, {recursive: true})
  lakeDir = makeTempDir('studio-workflow-')
  dev = await startDev(lakeDir)
  await seedDevLake(lakeDir, dev)
  client = lakeClient({url: dev.lakeUrl, token: dev.token})
  speaker = await client.fetch('*[_type == "person" && count(*[_type == "quote" && speaker._ref == ^._id]) > 0][0]{_id, name}')
  browser = await launchChromium()
  page = await newStudioPage(browser, {width: 1280, height: 900, locale: 'en-US'}, pageErrors)
  await logIn(page, dev)
}, 300_000)

afterAll(async () => {
  await browser?.close()
  await stopDev(dev)
  removeTempDirs()
})

const shot = (name: string) => page.screenshot({path: path.join(ARTIFACTS, `studio-workflow-${name}.png`)})

/** The structure's panes in the URL, after /structure/ (ids, with any `,params` of the last one). */
const panesInUrl = () => decodeURIComponent(new URL(page.url()).pathname.replace(/^\/structure\//, '')).split(';')

/** The titles of the pane headers, left to right. */
const paneTitles = () => page.locator('[data-testid="pane-header"]').allInnerTexts()

function noPageErrors() {
  expect(pageErrors, 'uncaught errors in the Studio page').toEqual([])
}

describe('Quotes → By speaker', () => {
  it('"+" in one speaker\'s quotes makes a quote by that speaker, opened beside that list', async () => {
    await page.goto(`${dev!.origin}/structure/quotes;by-speaker;${speaker._id}`)
    const header = page.locator('[data-testid="pane-header"]', {hasText: 'Quotes'}).last()
    await header.waitFor({timeout: 120_000})
    await page.locator('[data-testid="document-list-pane"]').last().locator('[data-testid="default-preview"]').first().waitFor({timeout: 60_000})
    await header.locator('[data-testid="action-intent-button"]').click({timeout: 60_000})
    await page.locator('[data-testid="field-text"] textarea').waitFor({timeout: 60_000})
    // Before the fix the new quote opened as quotes;quote;<id> (beside "All quotes"), the speaker's list gone.
    const panes = panesInUrl()
    expect(panes.slice(0, 3)).toEqual(['quotes', 'by-speaker', speaker._id])
    expect(panes[3]).toMatch(/,template=quote-by-speaker/)
    const quoteId = panes[3]!.split(',')[0]!
    expect((await paneTitles()).slice(-3, -1)).toEqual(['Speakers', 'Quotes'])
    // The speaker is already chosen in the form.
    await expect.poll(() => page.locator('[data-testid="document-pane"]').last().textContent(), {timeout: 60_000}).toContain(speaker.name)
    const text = 'تصريح جديد للاختبار'
    await page.locator('[data-testid="field-text"] textarea').fill(text)
    // What was written, read from the lake: a draft quote whose speaker is this speaker.
    await expect
      .poll(() => client.fetch<{_type: string; text?: string; speakerRef?: string} | null>('*[_id == $id][0]{_type, text, "speakerRef": speaker._ref}', {id: `drafts.${quoteId}`}, {perspective: 'raw'}), {
        timeout: 60_000,
      })
      .toEqual({_type: 'quote', text, speakerRef: speaker._id})
    await shot('1-speaker-quote')
    noPageErrors()
  })

  it('"+" on the speakers pane offers a person or an organization, and opens the new one beside that pane', async () => {
    await page.goto(`${dev!.origin}/structure/quotes;by-speaker`)
    const header = page.locator('[data-testid="pane-header"]', {hasText: 'Speakers'})
    await header.locator('[data-testid="multi-action-intent-button"]').click({timeout: 60_000})
    const menu = page.locator('[role="menu"]').last()
    await menu.waitFor({timeout: 30_000})
    const items = await menu.locator('[role="menuitem"]').allTextContents()
    expect(items.map((item) => item.trim()).sort()).toEqual(['Organization', 'Person'])
    await shot('2-speakers-create-menu')
    await menu.locator('[role="menuitem"]', {hasText: 'Organization'}).click()
    await page.locator('[data-testid="field-nameLatin"] input').waitFor({timeout: 60_000})
    const panes = panesInUrl()
    expect(panes.slice(0, 2)).toEqual(['quotes', 'by-speaker'])
    expect(panes[2]).toMatch(/,template=organization$/)
    const orgId = panes[2]!.split(',')[0]!
    expect((await paneTitles()).at(-2)).toBe('Speakers')
    const name = 'وزارة الخارجية'
    await page.locator('[data-testid="field-name"] input').fill(name)
    await expect
      .poll(() => client.fetch<{_type: string; name?: string} | null>('*[_id == $id][0]{_type, name}', {id: `drafts.${orgId}`}, {perspective: 'raw'}), {timeout: 60_000})
      .toEqual({_type: 'organization', name})
    await shot('3-speakers-new-organization')
    noPageErrors()
  })
})

describe('Slug', () => {
  /** The Validation panel's items for the slug field, for an article draft with this slug. */
  async function slugMessages(id: string, slug: {_type: 'slug'; current: string} | undefined): Promise<string[]> {
    await client.createOrReplace({
      _id: `drafts.${id}`,
      _type: 'article',
      language: 'ar',
      headline: 'عنوان للتحقق من المعرّف',
      ...(slug ? {slug} : {}),
      body: [{_type: 'block', _key: 'b1', style: 'normal', markDefs: [], children: [{_type: 'span', _key: 's1', text: 'نص.', marks: []}]}],
    })
    await page.goto(`${dev!.origin}/intent/edit/id=${id};type=article;inspect=sanity%2Fstructure%2Fvalidation`)
    await page.getByRole('button', {name: 'Close validation'}).waitFor({timeout: 60_000})
    await expect.poll(() => page.locator('[data-testid="document-panel-document-title"]').textContent(), {timeout: 60_000}).toBe('عنوان للتحقق من المعرّف')
    // Each item in the panel is a card button: the field's title, then the message.
    const items = page.locator('button[data-ui="Card"][data-tone="critical"], button[data-ui="Card"][data-tone="caution"]')
    await expect.poll(async () => (await items.allInnerTexts()).filter((item) => item.startsWith('Slug')).length, {timeout: 60_000}).toBeGreaterThan(0)
    // Validation settles in steps; wait until the count stops changing.
    let previous = -1
    for (let i = 0; i < 10; i++) {
      const count = await items.count()
      if (count === previous) break
      previous = count
      await page.waitForTimeout(700)
    }
    return (await items.allInnerTexts()).filter((item) => item.startsWith('Slug')).map((item) => item.split('\n').slice(1).join(' ').trim())
  }

  it('a slug problem shows exactly one message', async () => {
    const taken = await client.fetch<string>('*[_type == "article" && defined(slug.current)][0].slug.current')
    expect(await slugMessages('slug-malformed', {_type: 'slug', current: 'Bad Slug'})).toEqual([messages.slugForm])
    await shot('4-slug-malformed')
    expect(await slugMessages('slug-taken', {_type: 'slug', current: taken})).toEqual(['Slug is already in use'])
    expect(await slugMessages('slug-missing', undefined)).toEqual([messages.required('Slug')])
    await shot('5-slug-missing')
    noPageErrors()
  })
})
