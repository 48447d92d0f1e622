import {isDraftOrVersionId} from './ids'

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
 * In-memory documents of one dataset plus a reverse index of strong references,
 * so that "who still references X?" does not need a scan on every delete.
 */
export class DocumentStore {
  private docs = new Map<string, LakeDocument>()
  /** target id → ids of non-draft documents that strongly reference it */
  private referrers = new Map<string, Set<string>>()
  private sorted: LakeDocument[] | null = null
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
    if (!this.sorted) {
      this.sorted = [...this.docs.values()].sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
    }
    return this.sorted
  }

  referrersOf(id: string): string[] {
    return [...(this.referrers.get(id) ?? [])]
  }

  apply(effects: readonly Effect[]): void {
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
    this.sorted = null
    this.version++
  }

  private index(doc: LakeDocument): void {
    if (isDraftOrVersionId(doc._id)) return
    for (const target of strongRefs(doc)) {
      let set = this.referrers.get(target)
      if (!set) this.referrers.set(target, (set = new Set()))
      set.add(doc._id)
    }
  }

  private unindex(doc: LakeDocument): void {
    if (isDraftOrVersionId(doc._id)) return
    for (const target of strongRefs(doc)) {
      const set = this.referrers.get(target)
      if (!set) continue
      set.delete(doc._id)
      if (set.size === 0) this.referrers.delete(target)
    }
  }
}
