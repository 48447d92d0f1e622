// Revision history in a real Studio: edit the seeded article's headline, publish, then the History
// panel lists both revisions (the seeded one and the published edit), and restoring the first
// ("Revert to revision", then Publish) brings the old headline back, as @sanity/client then reads.
import fs from 'node:fs'
import path from 'node:path'
import type {SanityClient} from '@sanity/client'
import type {Browser, Page} from 'playwright-core'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, makeTempDir, removeTempDirs} from '../helpers/lake'
import {ARTIFACTS, collectToasts, launchChromium, newStudioPage, seedDevLake, startDev, stopDev, type Dev, type Toast} from './harness'

const SUFFIX = ' (مراجعة)'

let dev: Dev | undefined
let client: SanityClient
let browser: Browser | undefined
let page: Page
const pageErrors: string[] = []
const failedResponses: string[] = []
const toasts: Toast[] = []
const historyRequests: string[] = []

beforeAll(async () => {
  fs.mkdirSync(ARTIFACTS, {recursive: true})
  const lakeDir = makeTempDir('history-e2e-')
  dev = await startDev(lakeDir)
  await seedDevLake(lakeDir, dev)
  client = lakeClient({url: dev.lakeUrl, token: dev.token})
  browser = await launchChromium()
  page = await newStudioPage(browser, {width: 1440, height: 1100, locale: 'en-US'}, pageErrors)
  page.on('response', (response) => {
    if (response.status() >= 400) failedResponses.push(`${response.status()} ${response.request().method()} ${response.url()}`)
    if (response.url().includes('/data/history/')) historyRequests.push(`${response.status()} ${new URL(response.url()).pathname}${new URL(response.url()).search}`)
  })
  await collectToasts(page, toasts)
}, 300_000)

afterAll(async () => {
  console.log(`history requests the Studio made (${historyRequests.length}):\n  ${[...new Set(historyRequests)].slice(0, 40).join('\n  ')}`)
  await browser?.close()
  await stopDev(dev)
  removeTempDirs()
})

const shot = (name: string) => page.screenshot({path: path.join(ARTIFACTS, name)})

function noErrors(): void {
  expect(pageErrors, 'uncaught errors in the Studio page').toEqual([])
  expect(toasts.filter((t) => t.tone === 'critical' || t.tone === 'caution'), 'error toasts in the Studio').toEqual([])
  expect(failedResponses.filter((r) => r.includes(dev!.origin)), 'failed requests to the Studio/lake origin').toEqual([])
}

async function published(id: string): Promise<{_rev: string; headline: string} | null> {
  return client.fetch('*[_id == $id][0]{_rev, headline}', {id}, {perspective: 'published'})
}

async function draftHeadline(id: string): Promise<string | undefined> {
  return (await client.fetch<{headline?: string} | null>('*[_id == $id][0]{headline}', {id: `drafts.${id}`}, {perspective: 'raw'}))?.headline
}

describe('revision history in the Studio', () => {
  let articleId: string
  let original: {_rev: string; headline: string}
  const headline = () => page.locator('[data-testid="field-headline"] input')
  const publish = () => page.locator('[data-testid="action-publish"]').or(page.getByRole('button', {name: 'Publish', exact: true})).first()

  it('edits the headline and publishes it', async () => {
    const article = await client.fetch<{_id: string; _rev: string; headline: string}>('*[_type == "article"][0]{_id, _rev, headline}')
    articleId = article._id
    original = article
    await page.goto(dev!.loginUrl)
    await expect.poll(() => new URL(page.url()).pathname, {timeout: 120_000}).not.toContain('__lake-login')
    await page.goto(`${dev!.origin}/intent/edit/id=${articleId};type=article`)
    await expect.poll(() => headline().inputValue(), {timeout: 120_000}).toBe(original.headline)
    await headline().click()
    await headline().press('End')
    await headline().pressSequentially(SUFFIX, {delay: 20})
    await expect.poll(() => draftHeadline(articleId), {timeout: 30_000}).toBe(original.headline + SUFFIX)
    await expect.poll(() => publish().isEnabled(), {timeout: 60_000}).toBe(true)
    await publish().click()
    await expect.poll(async () => (await published(articleId))?.headline, {timeout: 60_000}).toBe(original.headline + SUFFIX)
    await expect.poll(() => publish().isDisabled(), {timeout: 30_000}).toBe(true)
    noErrors()
  })

  it('lists both revisions in the History panel and restores the first', async () => {
    // The footer's "Published …" status opens the history inspector, as an editor would.
    await page.locator('[data-testid="pane-footer-document-status"]').click({timeout: 30_000})
    await page.locator('#history-tab').click({timeout: 30_000})
    const items = page.locator('[data-testid="timeline-item-button"]')
    await expect.poll(() => items.count(), {timeout: 60_000}).toBeGreaterThanOrEqual(2)
    const labels = await items.allTextContents()
    expect(labels[0]).toMatch(/Published/)
    expect(labels.at(-1)).toMatch(/created/i)
    await shot('history-1-timeline.png')

    // Review changes: what the draft's edits changed, rebuilt from the transactions' mendoza effects.
    await page.locator('#changes-tab').click()
    const changes = page.locator('#review-panel')
    await expect.poll(() => changes.textContent(), {timeout: 60_000}).toContain('Headline')
    expect(await changes.textContent()).toContain(SUFFIX.trim().replace(/[()]/g, ''))
    await shot('history-1b-review-changes.png')
    await page.locator('#history-tab').click()

    // The oldest revision: the seeded article. The form shows it, read-only.
    await items.last().click()
    await expect.poll(() => decodeURIComponent(page.url()), {timeout: 30_000}).toContain(`rev=${original._rev}`)
    await expect.poll(() => headline().inputValue(), {timeout: 60_000}).toBe(original.headline)
    await shot('history-2-first-revision.png')

    await page.getByRole('button', {name: 'Revert to revision'}).first().click()
    // "Are you sure you want to restore this document?" (a confirm popover, or a dialog).
    await page.locator('[data-testid="confirm-popover-confirm-button"], [data-testid="confirm-button"]').first().click({timeout: 30_000})
    await expect.poll(() => draftHeadline(articleId), {timeout: 60_000}).toBe(original.headline)

    await expect.poll(() => publish().isEnabled(), {timeout: 60_000}).toBe(true)
    await publish().click()
    await expect.poll(async () => (await published(articleId))?.headline, {timeout: 60_000}).toBe(original.headline)
    const now = await published(articleId)
    expect(now!._rev).not.toBe(original._rev)
    expect(await client.getDocument(`drafts.${articleId}`)).toBeUndefined()
    await expect.poll(() => headline().inputValue(), {timeout: 30_000}).toBe(original.headline)
    await shot('history-3-restored.png')
    noErrors()
  })
})
