import {isDraftOrVersionId} from './ids'
import {strongRefs, type DocumentStore, type LakeDocument} from './store'

/** What planning a transaction reads: the documents, in `_id` order, and who references whom. */
export interface StateReader {
  get(id: string): LakeDocument | undefined
  /** All documents sorted by `_id`. Do not mutate. */
  all(): readonly LakeDocument[]
  /** Ids of non-draft documents that strongly reference `id`. */
  referrersOf(id: string): string[]
}

/**
 * The state transactions are planned against: the durable store (what readers see) plus the
 * transactions that are in the log but not yet fsynced. Each id maps to its newest pending
 * version and the seq of the transaction that wrote it, so that when a transaction becomes
 * durable the entries it wrote (and no later one) can be dropped.
 */
export class PendingState implements StateReader {
  private readonly latest = new Map<string, {doc: LakeDocument | null; seq: number}>()
  private merged: LakeDocument[] | null = null

  constructor(private readonly store: DocumentStore) {}

  get size(): number {
    return this.latest.size
  }

  has(id: string): boolean {
    const entry = this.latest.get(id)
    return entry ? entry.doc !== null : this.store.has(id)
  }

  get(id: string): LakeDocument | undefined {
    const entry = this.latest.get(id)
    return entry ? (entry.doc ?? undefined) : this.store.get(id)
  }

  all(): readonly LakeDocument[] {
    if (this.latest.size === 0) return this.store.all()
    if (!this.merged) {
      const out = this.store.all().filter((d) => !this.latest.has(d._id))
      for (const {doc} of this.latest.values()) if (doc) out.push(doc)
      this.merged = out.sort((a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0))
    }
    return this.merged
  }

  referrersOf(id: string): string[] {
    const durable = this.store.referrersOf(id)
    if (this.latest.size === 0) return durable
    const out = durable.filter((r) => !this.latest.has(r))
    for (const [other, {doc}] of this.latest) {
      if (doc && !isDraftOrVersionId(other) && strongRefs(doc).has(id)) out.push(other)
    }
    return out
  }

  /** A transaction was appended to the log. */
  add(seq: number, effects: ReadonlyArray<{id: string; doc: LakeDocument | null}>): void {
    for (const {id, doc} of effects) this.latest.set(id, {doc, seq})
    this.merged = null
  }

  /** The transaction `seq` reached the durable store: its entries (not later ones) are no longer pending. */
  settle(seq: number, ids: Iterable<string>): void {
    for (const id of ids) if (this.latest.get(id)?.seq === seq) this.latest.delete(id)
    this.merged = null
  }

  clear(): void {
    this.latest.clear()
    this.merged = null
  }
}
