// Shared by the site tests: a seeded lake, the real site server in this process, and HTML/XML checks.
import type {SanityClient} from '@sanity/client'
import {parse, type DefaultTreeAdapterMap} from 'parse5'
import {SaxesParser} from 'saxes'
import {siteConfigFromEnv} from '../../src/site/config'
import {startSite, type RunningSite} from '../../src/site/server'
import {connectSite} from '../../src/site/source'
import {lakeClient, runScript, spawnLake, type SpawnedLake} from '../helpers/lake'

export const NO_HOSTED = {SANITY_PROJECT_ID: '', SANITY_DATASET: '', SANITY_API_TOKEN: ''}

export interface SiteFixture {
  lake: SpawnedLake
  client: SanityClient
  site: RunningSite
  logs: string[]
}

/** A fresh lake with the seed article, and the site reading it. */
export async function seededSite(env: Record<string, string> = {}): Promise<SiteFixture> {
  const lake = await spawnLake()
  const seeded = await runScript('src/cli/seed.ts', [], {...NO_HOSTED, LAKE_DIR: lake.dir, LAKE_PORT: String(lake.port), LAKE_TOKEN: ''}, 60_000)
  if (seeded.code !== 0) throw new Error(`seed failed: ${seeded.stderr}`)
  const lakeEnv = {...NO_HOSTED, LAKE_DIR: lake.dir, LAKE_PORT: String(lake.port), LAKE_TOKEN: ''}
  const logs: string[] = []
  const site = await startSite({
    source: await connectSite(lakeEnv),
    config: siteConfigFromEnv({SITE_PORT: '0', ...env}),
    log: (line) => logs.push(line),
  })
  await site.live.ready
  return {lake, client: lakeClient(lake), site, logs}
}

export interface Page {
  status: number
  headers: Headers
  text: string
}

export async function get(site: {url: string}, path: string, headers: Record<string, string> = {}): Promise<Page> {
  const res = await fetch(`${site.url}${path}`, {headers, redirect: 'manual'})
  return {status: res.status, headers: res.headers, text: await res.text()}
}

type Node = DefaultTreeAdapterMap['node']
type Element = DefaultTreeAdapterMap['element']

export function elements(html: string): Element[] {
  const out: Element[] = []
  const walk = (node: Node) => {
    if ('tagName' in node) out.push(node)
    const children = 'childNodes' in node ? node.childNodes : []
    for (const child of children) walk(child)
    if ('content' in node && node.content) walk(node.content as Node)
  }
  walk(parse(html))
  return out
}

export const attr = (el: Element, name: string): string | undefined => el.attrs.find((a) => a.name === name)?.value

export function textOf(el: Element): string {
  let text = ''
  const walk = (node: Node) => {
    if (node.nodeName === '#text') text += (node as DefaultTreeAdapterMap['textNode']).value
    if ('childNodes' in node) for (const child of node.childNodes) walk(child)
  }
  walk(el)
  return text
}

/** What a page must never contain, whatever the data: problems found, empty when the page is clean. */
export function unsafeMarkup(html: string): string[] {
  const problems: string[] = []
  for (const el of elements(html)) {
    for (const a of el.attrs) {
      if (/^on/i.test(a.name)) problems.push(`<${el.tagName} ${a.name}>`)
    }
    if (el.tagName === 'script') {
      const src = attr(el, 'src')
      const type = attr(el, 'type')
      // The site's own scripts only: live reload, and the click-to-edit overlay in preview.
      const own = src === '/assets/live.js' || src === '/assets/visual-editing.js'
      if (!(own && textOf(el) === '') && type !== 'application/ld+json') problems.push(`<script ${src ?? type ?? ''}>`)
    }
    if (['img', 'iframe', 'object', 'embed', 'base', 'form'].includes(el.tagName) && !(el.tagName === 'form' && attr(el, 'action') === '/search')) {
      problems.push(`<${el.tagName}>`)
    }
    for (const name of ['href', 'src', 'action', 'cite']) {
      const value = attr(el, name)
      if (value === undefined) continue
      const ok = /^(\/(?!\/)|#|https?:\/\/|mailto:)/i.test(value.trim()) || (name === 'href' && value === 'data:,' && el.tagName === 'link')
      if (!ok) problems.push(`${el.tagName} ${name}="${value}"`)
    }
    if (attr(el, 'lang') !== undefined && attr(el, 'dir') === undefined) problems.push(`<${el.tagName} lang> without dir`)
  }
  return problems
}

/** The parsed JSON-LD blocks of a page. */
export function jsonLd(html: string): Array<Record<string, unknown>> {
  return elements(html)
    .filter((el) => el.tagName === 'script' && attr(el, 'type') === 'application/ld+json')
    .map((el) => JSON.parse(textOf(el)) as Record<string, unknown>)
}

/** Throws when `xml` is not well-formed; returns the text of every element named `name`. */
export function xmlTexts(xml: string, name: string): string[] {
  const parser = new SaxesParser()
  const texts: string[] = []
  let inside = 0
  let current = ''
  parser.on('error', (err) => {
    throw err
  })
  parser.on('opentag', (tag) => {
    if (tag.name === name) {
      inside++
      current = ''
    }
  })
  parser.on('text', (t) => {
    if (inside) current += t
  })
  parser.on('closetag', (tag) => {
    if (tag.name === name) {
      inside--
      texts.push(current)
    }
  })
  parser.write(xml).close()
  return texts
}

export async function eventually<T>(fn: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs
  for (;;) {
    const value = await fn()
    if (ok(value) || Date.now() > end) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
