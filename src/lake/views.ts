import type {Access} from './auth'
import type {Visibility} from './indexes'
import {isDraftOrVersionId, isRootPathId} from './ids'
import {layerOf, perspectiveKey, viewIdOf, type Perspective} from './perspective'
import type {DocumentStore, LakeDocument} from './store'

/**
 * The documents a query reads (`*`): the stored ones through the caller's access and perspective.
 * Views read the store and its indexes as they are now; nothing is copied or rebuilt per write.
 * Only docs() (the whole view as an array, for groq-js's scans) is built, when a query needs it.
 */
export interface View {
  readonly store: DocumentStore
  /** Which stored documents the view starts from (before any perspective stack). */
  readonly visibility: Visibility
  /** A perspective stack shows documents under their published id; other views show them as stored. */
  readonly stacked: boolean
  get(id: string): LakeDocument | undefined
  /** How stored document `raw` shows in this view: undefined when hidden or overlaid by another layer. */
  shownAs(raw: LakeDocument): LakeDocument | undefined
  /** The stored document behind a document of this view. */
  sourceOf(doc: LakeDocument): LakeDocument
  /** Every document, sorted by `_id`. Do not mutate. */
  docs(): readonly LakeDocument[]
  size(): number
  typeCount(type: string): number
}

class PlainView implements View {
  readonly stacked = false

  constructor(
    readonly store: DocumentStore,
    readonly visibility: Visibility,
  ) {}

  private visible(id: string): boolean {
    return this.visibility === 'all' || (this.visibility === 'root' ? isRootPathId(id) : !isDraftOrVersionId(id))
  }

  get(id: string): LakeDocument | undefined {
    return this.visible(id) ? this.store.get(id) : undefined
  }

  shownAs(raw: LakeDocument): LakeDocument | undefined {
    return this.visible(raw._id) ? raw : undefined
  }

  sourceOf(doc: LakeDocument): LakeDocument {
    return doc
  }

  docs(): readonly LakeDocument[] {
    return this.store.indexes.byVisibility(this.visibility)
  }

  size(): number {
    return this.visibility === 'all' ? this.store.size : this.store.indexes.size(this.visibility)
  }

  typeCount(type: string): number {
    return this.store.indexes.typeCount(this.visibility, type)
  }
}

/** Overlay copies (`_id` the published id, `_originalId` the stored one), one per stored document object. */
const overlays = new WeakMap<LakeDocument, LakeDocument>()
const sources = new WeakMap<LakeDocument, LakeDocument>()

function overlay(doc: LakeDocument, shownId: string): LakeDocument {
  if (doc._id === shownId) return doc
  let copy = overlays.get(doc)
  if (!copy) {
    copy = {...doc, _id: shownId, _originalId: doc._id}
    overlays.set(doc, copy)
    sources.set(copy, doc)
  }
  return copy
}

/**
 * A perspective stack (`drafts`, `rA,drafts`, …) over all stored documents: for each published
 * id, the highest layer that has the document. Answered per id from the `variants` index (the
 * drafts and versions of each published id), so a write costs the stack nothing.
 */
class StackView implements View {
  readonly visibility = 'all' as const
  readonly stacked = true
  private readonly rank: Map<string, number>
  private cached: {version: number; docs: readonly LakeDocument[]} | null = null

  constructor(
    readonly store: DocumentStore,
    readonly layers: readonly string[],
  ) {
    this.rank = new Map(layers.map((layer, i) => [layer, i]))
  }

  /** As applyPerspective: the lowest rank wins, the smaller stored `_id` on a tie. */
  get(id: string): LakeDocument | undefined {
    let best: LakeDocument | undefined
    let bestRank = Infinity
    const own = this.store.get(id)
    if (own && layerOf(id) === null) {
      best = own
      bestRank = this.layers.length
    }
    for (const rawId of this.store.indexes.variants.ids(id)) {
      const layer = layerOf(rawId)
      const r = layer === null ? this.layers.length : this.rank.get(layer)
      if (r === undefined || r > bestRank || (r === bestRank && best !== undefined && rawId > best._id)) continue
      const doc = this.store.get(rawId)
      if (!doc) continue
      best = doc
      bestRank = r
    }
    return best && overlay(best, id)
  }

  shownAs(raw: LakeDocument): LakeDocument | undefined {
    const shown = this.get(layerOf(raw._id) === null ? raw._id : viewIdOf(raw._id))
    return shown && this.sourceOf(shown) === raw ? shown : undefined
  }

  sourceOf(doc: LakeDocument): LakeDocument {
    return sources.get(doc) ?? doc
  }

  /** Published ids whose shown document is not the published one: [id, shown, published]. */
  private overridden(): Array<[string, LakeDocument, LakeDocument | undefined]> {
    const out: Array<[string, LakeDocument, LakeDocument | undefined]> = []
    for (const id of this.store.indexes.variants.keys()) {
      const shown = this.get(id)
      const own = this.store.get(id)
      const published = own && layerOf(id) === null ? own : undefined
      if (shown && shown !== published) out.push([id, shown, published])
    }
    return out
  }

  docs(): readonly LakeDocument[] {
    if (this.cached?.version === this.store.version) return this.cached.docs
    const replaced = new Map<string, LakeDocument>()
    const added: Array<[string, LakeDocument]> = []
    for (const [id, shown, published] of this.overridden()) {
      if (published) replaced.set(id, shown)
      else added.push([id, shown])
    }
    added.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    const out: LakeDocument[] = []
    let j = 0
    for (const doc of this.store.indexes.byVisibility('published')) {
      while (j < added.length && (added[j] as [string, LakeDocument])[0] < doc._id) out.push((added[j++] as [string, LakeDocument])[1])
      out.push(replaced.get(doc._id) ?? doc)
    }
    while (j < added.length) out.push((added[j++] as [string, LakeDocument])[1])
    this.cached = {version: this.store.version, docs: out}
    return out
  }

  size(): number {
    let size = this.store.indexes.size('published')
    for (const [, , published] of this.overridden()) if (!published) size++
    return size
  }

  typeCount(type: string): number {
    let count = this.store.indexes.typeCount('published', type)
    for (const [, shown, published] of this.overridden()) {
      if (published?._type === type) count--
      if (shown._type === type) count++
    }
    return count
  }
}

/**
 * Stacks are cached per name list, but only the most recently used few: every request may name
 * new release names, and a stack keeps its last docs() array.
 */
export const VIEW_CACHE_ENTRIES = 8

interface StoreViews {
  plain: Map<Visibility, PlainView>
  stacks: Map<string, StackView>
}

const viewsOf = new WeakMap<DocumentStore, StoreViews>()

/** What a caller may read: token holders see everything, anonymous callers only the root path (as a public dataset). */
export function viewOf(store: DocumentStore, access: Access, perspective: Perspective): View {
  let views = viewsOf.get(store)
  if (!views) viewsOf.set(store, (views = {plain: new Map(), stacks: new Map()}))
  // Anonymous callers see root-path documents only: never a draft or version, so every perspective shows them as stored.
  if (access !== 'token' || perspective.kind !== 'stack') {
    const visibility: Visibility = access !== 'token' ? 'root' : perspective.kind === 'raw' ? 'all' : 'published'
    let view = views.plain.get(visibility)
    if (!view) views.plain.set(visibility, (view = new PlainView(store, visibility)))
    return view
  }
  const key = perspectiveKey(perspective)
  let view = views.stacks.get(key)
  // Map keeps insertion order: re-inserting marks the entry as the most recently used.
  if (view) views.stacks.delete(key)
  else {
    view = new StackView(store, perspective.layers)
    if (views.stacks.size >= VIEW_CACHE_ENTRIES) views.stacks.delete(views.stacks.keys().next().value as string)
  }
  views.stacks.set(key, view)
  return view
}

/**
 * A view as one query reads it. Queries run in slices (deadline.ts) and writes land in between;
 * the first write after the query started keeps the view's documents as they were for the rest
 * of the query (an O(n) copy, only then), and the indexes stop being used for it.
 */
export class QueryView {
  private pinned: readonly LakeDocument[] | null = null
  private pinnedById: Map<string, LakeDocument> | null = null
  private readonly unsubscribe: () => void

  constructor(readonly view: View) {
    this.unsubscribe = view.store.onBeforeChange(() => {
      this.pinned = view.docs()
    })
  }

  /** True once the store changed under the query: read docs() and get() only. */
  get changed(): boolean {
    return this.pinned !== null
  }

  docs(): readonly LakeDocument[] {
    return this.pinned ?? this.view.docs()
  }

  get(id: string): LakeDocument | undefined {
    if (this.pinned === null) return this.view.get(id)
    this.pinnedById ??= new Map(this.pinned.map((doc) => [doc._id, doc]))
    return this.pinnedById.get(id)
  }

  close(): void {
    this.unsubscribe()
  }
}
