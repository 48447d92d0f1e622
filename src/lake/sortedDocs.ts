import type {LakeDocument} from './store'

export type DocCompare = (a: LakeDocument, b: LakeDocument) => number

/** Pending additions folded in without a reader once there are this many (and an eighth of the list). */
const FOLD_AT = 4096
/** Below this many pending changes a snapshot is patched in place of a merge. */
const SPLICE_AT_MOST = 32

/**
 * Documents kept in one total order, changed one at a time and read as immutable sorted arrays.
 * Changes are queued and folded in when the array is next read: a few by binary search and splice,
 * many by one merge. Nothing is re-sorted as a whole after the first read, and a reader's array
 * never changes under it (a running query keeps the array it was given).
 */
export class SortedDocs {
  private readonly added = new Set<LakeDocument>()
  private readonly removed = new Set<LakeDocument>()
  /** `sorted` has been handed to a reader: it is never changed in place again. */
  private shared = false

  /** `sorted`: documents already in `compare`'s order (taken as they are, not copied). */
  constructor(
    private readonly compare: DocCompare,
    private sorted: LakeDocument[] = [],
  ) {}

  get size(): number {
    return this.sorted.length + this.added.size - this.removed.size
  }

  add(doc: LakeDocument): void {
    if (this.removed.delete(doc)) return
    // Documents that come in order before the first read (start-up from a snapshot, written in
    // `_id` order) are appended: no set, and no sort of a million documents in the first query.
    const last = this.sorted[this.sorted.length - 1]
    if (!this.shared && this.added.size === 0 && this.removed.size === 0 && (last === undefined || this.compare(last, doc) < 0)) {
      this.sorted.push(doc)
      return
    }
    this.added.add(doc)
    // A long run of writes with no reader in between (a bulk load) is folded in as it goes: a set
    // entry costs several times an array slot, and nobody may read the list for a long while.
    if (this.added.size >= FOLD_AT && this.added.size * 8 >= this.sorted.length) this.fold()
  }

  private fold(): void {
    this.sorted = this.merged()
    this.added.clear()
    this.removed.clear()
  }

  remove(doc: LakeDocument): void {
    if (!this.added.delete(doc)) this.removed.add(doc)
  }

  /** The documents in order. Do not mutate: later changes build a new array. */
  array(): readonly LakeDocument[] {
    this.shared = true
    if (this.added.size === 0 && this.removed.size === 0) return this.sorted
    this.sorted = this.added.size + this.removed.size <= SPLICE_AT_MOST ? this.spliced() : this.merged()
    this.added.clear()
    this.removed.clear()
    return this.sorted
  }

  private position(array: readonly LakeDocument[], doc: LakeDocument): number {
    let lo = 0
    let hi = array.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.compare(array[mid] as LakeDocument, doc) < 0) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private spliced(): LakeDocument[] {
    const out = this.sorted.slice()
    for (const doc of this.removed) {
      const at = this.position(out, doc)
      // The order is total, so `doc` sits at its position; a neighbour check guards against a
      // compare that drifted (it never should: stored documents are not mutated).
      const index = out[at] === doc ? at : out.indexOf(doc)
      if (index >= 0) out.splice(index, 1)
    }
    for (const doc of this.added) out.splice(this.position(out, doc), 0, doc)
    return out
  }

  private merged(): LakeDocument[] {
    const kept = this.removed.size === 0 ? this.sorted : this.sorted.filter((doc) => !this.removed.has(doc))
    const incoming = [...this.added].sort(this.compare)
    if (kept.length === 0) return incoming
    const out: LakeDocument[] = new Array(kept.length + incoming.length)
    let i = 0
    let j = 0
    let k = 0
    while (i < kept.length && j < incoming.length) {
      out[k++] = this.compare(kept[i] as LakeDocument, incoming[j] as LakeDocument) <= 0 ? (kept[i++] as LakeDocument) : (incoming[j++] as LakeDocument)
    }
    while (i < kept.length) out[k++] = kept[i++] as LakeDocument
    while (j < incoming.length) out[k++] = incoming[j++] as LakeDocument
    return out
  }
}

export const byId: DocCompare = (a, b) => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)
