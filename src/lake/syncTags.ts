import {createHash} from 'node:crypto'
import type {ExprNode} from 'groq-js'
import type {CommittedTransaction} from './dataset'
import {viewIdOf} from './perspective'
import type {DocumentStore, LakeDocument} from './store'
import type {View} from './views'

/*
 * Sync tags (the Live Content API): a query answer names the document sets it read, as opaque
 * tags, and every transaction tells the tags of the sets it changed. A client refetches a query
 * when a message names one of its tags. The sets here are "documents of type T" and "any
 * document": coarse, but a change can never miss a query that read it (a query may be told of
 * changes that leave its answer as it was, which costs a refetch and nothing else).
 *
 * - `*[…]` whose filter requires `_type == "T"` (or `_type in [...]`) reads type T only: any
 *   document that is or was of type T is in the set, so a change of its type is told too.
 * - Any other `*` reads any document: the dataset-wide tag, which every message carries.
 * - `->` reads the documents it finds (their types, recorded while the query runs); a reference
 *   that finds nothing could find a document created later: dataset-wide.
 * - `releases::all()` reads the release documents (type `system.release`).
 */

export interface Reads {
  /** Any document could change the answer. */
  any: boolean
  types: Set<string>
}

type Raw = {type: string; [key: string]: unknown}

function isTypeAttribute(n: Raw): boolean {
  return n.type === 'AccessAttribute' && n.name === '_type' && (n.base === undefined || (n.base as Raw).type === 'This')
}

/** The `_type` values a filter conjunct requires, or null when it does not restrict `_type`. */
function requiredTypes(n: Raw): Set<string> | null {
  if (n.type === 'Group') return requiredTypes(n.base as Raw)
  if (n.type === 'And') {
    const left = requiredTypes(n.left as Raw)
    const right = requiredTypes(n.right as Raw)
    if (!left) return right
    if (!right) return left
    return new Set([...left].filter((t) => right.has(t)))
  }
  if (n.type === 'Or') {
    const left = requiredTypes(n.left as Raw)
    const right = requiredTypes(n.right as Raw)
    return left && right ? new Set([...left, ...right]) : null
  }
  if (n.type !== 'OpCall') return null
  const left = n.left as Raw
  const right = n.right as Raw
  if (n.op === '==') {
    const value = isTypeAttribute(left) ? right : isTypeAttribute(right) ? left : null
    if (value?.type !== 'Value') return null
    // `_type` is a string in every document: any other constant matches nothing.
    return new Set(typeof value.value === 'string' ? [value.value] : [])
  }
  if (n.op === 'in' && isTypeAttribute(left)) {
    const values = right.type === 'Value' ? right.value : right.type === 'Array' ? constantElements(right) : null
    if (!Array.isArray(values)) return null
    return new Set(values.filter((v): v is string => typeof v === 'string'))
  }
  return null
}

function constantElements(n: Raw): unknown[] | null {
  const out: unknown[] = []
  for (const element of n.elements as Raw[]) {
    const value = element.value as Raw
    if (element.isSplat || value.type !== 'Value') return null
    out.push(value.value)
  }
  return out
}

/** What a parsed query reads, as far as the query alone tells (`->` is added while it runs: tracingView). */
export function staticReads(tree: ExprNode): Reads {
  const reads: Reads = {any: false, types: new Set()}
  const covered = new Set<Raw>()
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) walk(item)
      return
    }
    if (value === null || typeof value !== 'object') return
    const n = value as Raw
    if (n.type === 'Filter' && !covered.has(n)) {
      // A chain of filters straight on `*`: the intersection of what each requires.
      let types = null as Set<string> | null
      let at: Raw = n
      const chain: Raw[] = []
      while (at.type === 'Filter' || at.type === 'Group') {
        chain.push(at)
        if (at.type === 'Filter') {
          const required = requiredTypes(at.expr as Raw)
          if (required) types = types ? new Set([...types].filter((t: string) => required.has(t))) : required
        }
        at = at.base as Raw
      }
      if (at.type === 'Everything' && types) {
        covered.add(at)
        for (const t of types) reads.types.add(t)
      }
      for (const link of chain) covered.add(link)
      for (const link of chain) if (link.type === 'Filter') walk(link.expr)
      walk(at)
      return
    }
    if (n.type === 'Everything' && !covered.has(n)) reads.any = true
    if (n.type === 'FuncCall' && n.namespace === 'releases') reads.types.add('system.release')
    for (const key in n) if (key !== 'type') walk(n[key])
  }
  walk(tree)
  return reads
}

/** `view` with every document lookup (`->`, id lookups) recorded into `reads`. */
export function tracingView(view: View, reads: Reads): View {
  return {
    get store() {
      return view.store
    },
    get visibility() {
      return view.visibility
    },
    get stacked() {
      return view.stacked
    },
    get(id: string) {
      const doc = view.get(id)
      if (doc) reads.types.add(doc._type)
      else reads.any = true
      return doc
    },
    shownAs: (raw) => view.shownAs(raw),
    sourceOf: (doc) => view.sourceOf(doc),
    docs: () => view.docs(),
    size: () => view.size(),
    typeCount: (type) => view.typeCount(type),
  }
}

/** Opaque, like hosted Sanity's: `s1:` and a short hash of the dataset and the set. */
function tag(datasetName: string, key: string): string {
  return `s1:${createHash('sha256').update(`${datasetName}\u0000${key}`).digest('base64url').slice(0, 12)}`
}

export function syncTagsOf(reads: Reads, datasetName: string): string[] {
  const tags = [...reads.types].sort().map((type) => tag(datasetName, `type:${type}`))
  if (reads.any) tags.unshift(tag(datasetName, 'any'))
  return tags
}

/**
 * The tags a transaction changes, counting only the documents `told` accepts (null when it
 * changes none of them). Besides each changed document's type before and after, the types of
 * the other documents under the same published id: in a perspective a draft or version shows in
 * place of the published document, so changing one can change which of them a query sees.
 */
export function transactionTags(tx: CommittedTransaction, store: DocumentStore, datasetName: string, told: (id: string) => boolean): string[] | null {
  const types = new Set<string>()
  let any = false
  const add = (doc: LakeDocument | null | undefined) => {
    if (doc) types.add(doc._type)
  }
  for (const change of tx.changes) {
    if (!told(change.id)) continue
    any = true
    add(change.before)
    add(change.after)
    const published = viewIdOf(change.id)
    add(store.get(published))
    for (const id of store.indexes.variants.ids(published)) add(store.get(id))
  }
  if (!any) return null
  return syncTagsOf({any: true, types}, datasetName)
}
