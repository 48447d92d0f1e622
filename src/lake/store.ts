import {isDraftOrVersionId} from './ids'
import {Indexes} from './indexes'
import {MultiMap} from './multiMap'

export interface LakeDocument {
  _id: string
  _type: string
  _rev: string
  _createdAt: string
  _updatedAt: string
  [field: string]: unknown
}

/** The state of one document after a transaction; `doc: null` means deleted. */
export interface Effect {
  id: string
  doc: LakeDocument | null
}

/**
 * Strong reference targets of a document: every `_ref` not marked `_weak` and not
 * pointing into another dataset (cross-dataset refs carry `_dataset`).
 */
export function strongRefs(value: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) strongRefs(item, into)
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>
    if (typeof obj._ref === 'string' && obj._weak !== true && obj._dataset === undefined) into.add(obj._ref)
    for (const key in obj) {
      const child = obj[key]
      if (child !== null && typeof child === 'object') strongRefs(child, into)
    }
  }
  return into
}

/**
 * In-memory documents of one dataset with their indexes (indexes.ts): the one place documents
 * change, so every index is kept up to date by every transaction and by start-up replay.
 */
export class DocumentStore {
  private docs = new Map<string, LakeDocument>()
  /** target id → ids of non-draft documents that strongly reference it */
  private referrers = new MultiMap()
  readonly indexes = new Indexes(() => this.docs.values())
  private readonly beforeChange = new Set<() => void>()
  /** Bumped on every change; caches of derived views compare against it. */
  version = 0

  get size(): number {
    return this.docs.size
  }

  get(id: string): LakeDocument | undefined {
    return this.docs.get(id)
  }

  has(id: string): boolean {
    return this.docs.has(id)
  }

  /** All documents sorted by `_id` (Sanity's order for an unordered `*`). Do not mutate. */
  all(): readonly LakeDocument[] {
    return this.indexes.all.array()
  }

  referrersOf(id: string): string[] {
    return [...this.referrers.ids(id)]
  }

  /**
   * Calls `fn` before the next change, while the documents are still as they were: a query that
   * is still running keeps its own copy of what it reads (views.ts). Returns the unsubscribe.
   */
  onBeforeChange(fn: () => void): () => void {
    this.beforeChange.add(fn)
    return () => this.beforeChange.delete(fn)
  }

  apply(effects: readonly Effect[]): void {
    if (effects.length === 0) return
    if (this.beforeChange.size > 0) {
      const waiting = [...this.beforeChange]
      this.beforeChange.clear()
      for (const fn of waiting) fn()
    }
    for (const {id, doc} of effects) {
      const before = this.docs.get(id)
      if (before) this.unindex(before)
      if (doc) {
        this.docs.set(id, doc)
        this.index(doc)
      } else {
        this.docs.delete(id)
      }
    }
    this.version++
  }

  private index(doc: LakeDocument): void {
    const {all, strong} = collectRefs(doc)
    this.indexes.add(doc, all)
    if (!isDraftOrVersionId(doc._id)) for (const target of strong) this.referrers.add(target, doc._id)
  }

  private unindex(doc: LakeDocument): void {
    const {all, strong} = collectRefs(doc)
    this.indexes.remove(doc, all)
    if (!isDraftOrVersionId(doc._id)) for (const target of strong) this.referrers.delete(target, doc._id)
  }
}

const NO_REFS: ReadonlySet<string> = new Set()

/** Every `_ref` of a document (what the reference index holds) and the strong ones among them (what integrity checks), in one walk. */
function collectRefs(doc: LakeDocument): {all: ReadonlySet<string>; strong: ReadonlySet<string>} {
  let all: Set<string> | null = null
  let strong: Set<string> | null = null
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object') walk(item)
      return
    }
    const obj = value as Record<string, unknown>
    if (typeof obj._ref === 'string') {
      ;(all ??= new Set()).add(obj._ref)
      if (obj._weak !== true && obj._dataset === undefined) (strong ??= new Set()).add(obj._ref)
    }
    for (const key in obj) {
      const child = obj[key]
      if (child !== null && typeof child === 'object') walk(child)
    }
  }
  walk(doc)
  return {all: all ?? NO_REFS, strong: strong ?? NO_REFS}
}
