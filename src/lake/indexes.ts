import {compareBy, foldWord, matchTokens, SORT_KEYS, sortKeyName, type SortKey} from './groqSemantics'
import {isDraftOrVersionId, isRootPathId} from './ids'
import {MultiMap} from './multiMap'
import {viewIdOf} from './perspective'
import {byId, SortedDocs, type DocCompare} from './sortedDocs'
import type {LakeDocument} from './store'

/**
 * Fields whose words `match` can look up. Each is indexed from the first query that matches on
 * it, then kept up to date; a fixed list, so that queries cannot make the lake index any field.
 */
export const WORD_FIELDS: readonly string[] = ['headline', 'lead', 'text', 'title', 'name', 'nameLatin', 'description']

/** Sorted lists are made on demand (one per sort key and type); at most this many, so that queries naming made-up types cannot grow memory. */
const MAX_LISTS = 64

/** Which stored documents a view starts from: all, the published ones (no drafts or versions), or the root path (what anonymous callers see). */
export type Visibility = 'all' | 'published' | 'root'

const isPublished = (doc: LakeDocument): boolean => !isDraftOrVersionId(doc._id)
const isRoot = (doc: LakeDocument): boolean => isRootPathId(doc._id)

export function slugOf(doc: LakeDocument): string | undefined {
  const slug = doc.slug
  if (slug === null || typeof slug !== 'object' || Array.isArray(slug)) return undefined
  const current = (slug as Record<string, unknown>).current
  return typeof current === 'string' ? current : undefined
}

/** The folded words of a field as `match` reads it: a string, or the strings of an array. */
function wordsOf(value: unknown): Set<string> {
  const out = new Set<string>()
  const add = (text: string): void => {
    for (const token of matchTokens(text)) out.add(foldWord(token))
  }
  if (typeof value === 'string') add(value)
  else if (Array.isArray(value)) for (const item of value) if (typeof item === 'string') add(item)
  return out
}

interface List {
  accepts: (doc: LakeDocument) => boolean
  docs: SortedDocs
}

function bump(map: Map<string, number>, key: string, by: number): void {
  const next = (map.get(key) ?? 0) + by
  if (next === 0) map.delete(key)
  else map.set(key, next)
}

/**
 * The indexes of one dataset, changed by DocumentStore.apply with every stored document that
 * comes or goes. Equality indexes hold ids; sorted lists hold the documents themselves.
 */
export class Indexes {
  readonly byType = new MultiMap()
  readonly bySlug = new MultiMap()
  /** reference target → ids of documents with a `_ref` to it anywhere */
  readonly refsTo = new MultiMap()
  /** published id → ids of its drafts and release versions (what perspective stacks overlay) */
  readonly variants = new MultiMap()
  /** All documents by `_id`: the raw dataset's order. */
  readonly all = new SortedDocs(byId)
  private readonly typeCounts = {published: new Map<string, number>(), root: new Map<string, number>()}
  private readonly sizes = {published: 0, root: 0}
  private readonly lists = new Map<string, List>()
  private readonly words = new Map<string, MultiMap>()

  /**
   * `stored`: every stored document; `fillAll`: parses the documents still deferred (store.ts), called
   * before a list of documents leaves the indexes (ids and counts need no parsing).
   */
  constructor(
    private readonly stored: () => Iterable<LakeDocument>,
    private readonly fillAll: () => void = () => {},
  ) {
    // Every scan of `*` reads one of these: kept from the start, so they fill during start-up
    // (in order, from a snapshot: see SortedDocs.add) rather than in the first query that scans.
    this.lists.set('published', {accepts: isPublished, docs: new SortedDocs(byId)})
    this.lists.set('root', {accepts: isRoot, docs: new SortedDocs(byId)})
  }

  /** `slug`: given for a deferred document, whose fields beyond the system ones are not parsed yet. */
  add(doc: LakeDocument, refs: Iterable<string>, slug = slugOf(doc)): void {
    this.change(doc, refs, slug, 1)
  }

  remove(doc: LakeDocument, refs: Iterable<string>, slug = slugOf(doc)): void {
    this.change(doc, refs, slug, -1)
  }

  private change(doc: LakeDocument, refs: Iterable<string>, slug: string | undefined, by: 1 | -1): void {
    const id = doc._id
    const adding = by === 1
    if (adding) this.byType.add(doc._type, id)
    else this.byType.delete(doc._type, id)
    if (slug !== undefined) {
      if (adding) this.bySlug.add(slug, id)
      else this.bySlug.delete(slug, id)
    }
    for (const target of refs) {
      if (adding) this.refsTo.add(target, id)
      else this.refsTo.delete(target, id)
    }
    if (isDraftOrVersionId(id)) {
      if (adding) this.variants.add(viewIdOf(id), id)
      else this.variants.delete(viewIdOf(id), id)
    } else {
      bump(this.typeCounts.published, doc._type, by)
      this.sizes.published += by
    }
    if (isRootPathId(id)) {
      bump(this.typeCounts.root, doc._type, by)
      this.sizes.root += by
    }
    if (adding) this.all.add(doc)
    else this.all.remove(doc)
    for (const list of this.lists.values()) {
      if (!list.accepts(doc)) continue
      if (adding) list.docs.add(doc)
      else list.docs.remove(doc)
    }
    for (const [field, index] of this.words) {
      for (const word of wordsOf(doc[field])) {
        if (adding) index.add(word, id)
        else index.delete(word, id)
      }
    }
  }

  /** How many stored documents of `visibility` have `_type` `type`. */
  typeCount(visibility: Visibility, type: string): number {
    return visibility === 'all' ? this.byType.count(type) : (this.typeCounts[visibility].get(type) ?? 0)
  }

  size(visibility: Exclude<Visibility, 'all'>): number {
    return this.sizes[visibility]
  }

  /** The documents of `visibility`, by `_id`. */
  byVisibility(visibility: Visibility): readonly LakeDocument[] {
    this.fillAll()
    if (visibility === 'all') return this.all.array()
    return this.list(visibility, visibility === 'published' ? isPublished : isRoot, null)?.array() ?? []
  }

  /**
   * All stored documents (of one `_type`, or of all) ordered by `key` then `_id`; null when the
   * lake keeps no more lists (see MAX_LISTS) and the caller has to do without.
   */
  sorted(key: SortKey, type: string | null): readonly LakeDocument[] | null {
    this.fillAll()
    if (type !== null && this.byType.count(type) === 0) return []
    const name = `${sortKeyName(key)}|${type === null ? '*' : `=${type}`}`
    const byKey = key.fields.length === 1 && key.fields[0] === '_id' ? null : compareBy(key)
    return this.list(name, type === null ? () => true : (doc) => doc._type === type, byKey)?.array() ?? null
  }

  /** The documents of `visibility` with `_type` `type`, by `_id`; null when the lake keeps no more lists. */
  ofType(visibility: Visibility, type: string): readonly LakeDocument[] | null {
    this.fillAll()
    if (visibility === 'all') return this.sorted(SORT_KEYS[0] as SortKey, type)
    const visible = visibility === 'published' ? isPublished : isRoot
    return this.list(`${visibility}|=${type}`, (doc) => doc._type === type && visible(doc), null)?.array() ?? null
  }

  /** A list made on first use; `compare` null: in `_id` order. */
  private list(name: string, accepts: (doc: LakeDocument) => boolean, compare: DocCompare | null): SortedDocs | null {
    let list = this.lists.get(name)
    if (!list) {
      if (this.lists.size >= MAX_LISTS) return null
      // Made inside a query, unsliced: `all` is already in `_id` order, so an `_id` list is one
      // filter pass (adding each document to a set and sorting them held the lake for seconds at 1M).
      const matching = this.all.array().filter(accepts)
      list = {accepts, docs: new SortedDocs(compare ?? byId, compare === null ? matching : matching.sort(compare))}
      this.lists.set(name, list)
    }
    return list.docs
  }

  /** folded word → ids of documents whose `field` has that word; null for a field not in WORD_FIELDS. */
  wordIndex(field: string): MultiMap | null {
    if (!WORD_FIELDS.includes(field)) return null
    let index = this.words.get(field)
    if (!index) {
      this.fillAll()
      index = new MultiMap()
      for (const doc of this.stored()) for (const word of wordsOf(doc[field])) index.add(word, doc._id)
      this.words.set(field, index)
    }
    return index
  }
}
