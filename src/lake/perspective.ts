import {badRequest} from './errors'
import {isDraftId, isVersionId, publishedIdOf, releaseOf} from './ids'
import type {LakeDocument} from './store'

/**
 * `raw`: every document as stored. `published`: no drafts, no release versions.
 * `stack`: for each published id, the first layer that has the document wins
 * (releases in the order given, `drafts`, then the published document), shown
 * under the published id with `_originalId` keeping where it came from.
 */
export type Perspective = {kind: 'raw'} | {kind: 'published'} | {kind: 'stack'; layers: string[]}

/** API versions from this date on default to the `published` perspective. */
const PUBLISHED_DEFAULT_FROM = '2025-02-19'
const RELEASE_NAME = /^[a-zA-Z0-9_][a-zA-Z0-9_-]*$/

export function defaultPerspective(apiVersion: string): Perspective {
  if (apiVersion === 'X' || apiVersion === 'x') return {kind: 'published'}
  if (/^\d{4}-\d{2}-\d{2}$/.test(apiVersion) && apiVersion >= PUBLISHED_DEFAULT_FROM) return {kind: 'published'}
  return {kind: 'raw'}
}

export const DEFAULT_MAX_PERSPECTIVE_NAMES = 50

/** Parses `perspective` query values (repeated and/or comma-separated), in time linear in their length. */
export function parsePerspective(values: readonly string[], apiVersion: string, maxNames = DEFAULT_MAX_PERSPECTIVE_NAMES): Perspective {
  const names: string[] = []
  for (const value of values) {
    for (const part of value.split(',')) {
      const name = part.trim()
      if (name === '') continue
      if (names.length === maxNames) {
        throw badRequest(`Too many perspectives: at most ${maxNames} names (raw, published, drafts or releases) in one request (LAKE_MAX_PERSPECTIVES)`)
      }
      names.push(name)
    }
  }
  if (names.length === 0) return defaultPerspective(apiVersion)
  if (names.length === 1) {
    if (names[0] === 'raw') return {kind: 'raw'}
    if (names[0] === 'published') return {kind: 'published'}
    if (names[0] === 'previewDrafts' || names[0] === 'drafts') return {kind: 'stack', layers: ['drafts']}
  }
  if (names.includes('raw')) throw badRequest('The "raw" perspective can not be combined with other perspectives')
  const layers = new Set<string>()
  for (const name of names) {
    if (name === 'published') continue // the published document is always the bottom layer
    const layer = name === 'previewDrafts' ? 'drafts' : name
    if (layer !== 'drafts' && !RELEASE_NAME.test(layer)) {
      throw badRequest(`Invalid perspective ${JSON.stringify(name.slice(0, 100))}: expected raw, published, drafts or release names (a-zA-Z0-9_-)`)
    }
    layers.add(layer)
  }
  return layers.size === 0 ? {kind: 'published'} : {kind: 'stack', layers: [...layers]}
}

export function perspectiveKey(p: Perspective): string {
  return p.kind === 'stack' ? `stack:${p.layers.join(',')}` : p.kind
}

/** The layer a stored document belongs to: `drafts`, a release name, or null for the published layer. */
export function layerOf(id: string): string | null {
  if (isDraftId(id)) return 'drafts'
  if (isVersionId(id)) return releaseOf(id) ?? null
  return null // published (or a custom path, which perspectives treat as published)
}

/**
 * The id a document shows under in a perspective stack: its published id. @sanity/id-utils
 * throws for ids with two layer prefixes (`drafts.drafts.x`, `versions.r.drafts.x`), which the
 * lake accepts; those lose one prefix, so that one odd document cannot fail every stacked query.
 */
export function viewIdOf(id: string): string {
  try {
    return publishedIdOf(id)
  } catch {
    if (id.startsWith('drafts.')) return id.slice('drafts.'.length)
    if (id.startsWith('versions.')) return id.slice(id.indexOf('.', 'versions.'.length) + 1)
    return id
  }
}

/**
 * Documents as seen through `p`, keeping the input order (sorted by `_id`), built from the whole
 * list. The lake answers from views.ts, kept up to date with every write; this is the plain
 * definition that tests compare those answers with.
 */
export function applyPerspective(docs: readonly LakeDocument[], p: Perspective): LakeDocument[] {
  if (p.kind === 'raw') return docs.slice()
  if (p.kind === 'published') return docs.filter((d) => !isDraftId(d._id) && !isVersionId(d._id))

  const rank = new Map(p.layers.map((layer, i) => [layer, i]))
  const bottom = p.layers.length
  const chosen = new Map<string, {doc: LakeDocument; rank: number}>()
  for (const doc of docs) {
    const layer = layerOf(doc._id)
    const r = layer === null ? bottom : rank.get(layer)
    if (r === undefined) continue
    const pub = viewIdOf(doc._id)
    const current = chosen.get(pub)
    if (!current || r < current.rank) chosen.set(pub, {doc, rank: r})
  }
  const out: LakeDocument[] = []
  for (const [pub, {doc}] of chosen) {
    out.push(doc._id === pub ? doc : {...doc, _id: pub, _originalId: doc._id})
  }
  return out.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
}
