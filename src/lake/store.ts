import {apiError} from './errors'
import {fill, headRefs, splitBytes, splitDocument, type Deferred, type DeferredHead} from './deferred'
import {isDraftOrVersionId} from './ids'
import {Indexes} from './indexes'
import {collectRefs, type Refs} from './refs'

export {strongRefs} from './refs'

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
  /** Set when `doc` is only the shell of a document read from disk and not parsed yet (deferred.ts). */
  split?: SplitDocument
  /** `doc`'s references, once something walked it for them (the log, when it writes the document). */
  refs?: Refs
}

/** A document read from disk as its head, with where its bytes are (deferred.ts); `doc` is the head's shell. */
export interface SplitDocument extends Deferred {
  head: DeferredHead
}

/**
 * In-memory documents of one dataset with their indexes (indexes.ts): the one place documents
 * change, so every index is kept up to date by every transaction and by start-up replay.
 */
export class DocumentStore {
  private docs = new Map<string, LakeDocument>()
  /**
   * Documents read at start-up (snapshot or log) that are still only their head (deferred.ts), by
   * id. Every way to read a document goes through get(), all() or the indexes' lists, which fill them first.
   */
  private deferred = new Map<string, SplitDocument>()
  /** Deferred documents whose bytes did not parse (fillOne). */
  private unreadable = new Set<string>()
  private filling = false
  readonly indexes = new Indexes(
    () => this.docs.values(),
    () => this.fillAll(),
  )
  private readonly beforeChange = new Set<() => void>()
  /** Bumped on every change; caches of derived views compare against it. */
  version = 0

  get size(): number {
    return this.docs.size
  }

  get(id: string): LakeDocument | undefined {
    if (this.deferred.size > 0) this.fillOne(id)
    return this.docs.get(id)
  }

  has(id: string): boolean {
    return this.docs.has(id)
  }

  /** All documents sorted by `_id` (Sanity's order for an unordered `*`). Do not mutate. */
  all(): readonly LakeDocument[] {
    this.fillAll()
    return this.indexes.all.array()
  }

  /** Documents still waiting to be parsed. */
  get deferredCount(): number {
    return this.deferred.size
  }

  /** Adds a document read from disk as its head only: indexed now, parsed on first read. */
  addDeferred(split: SplitDocument): void {
    this.apply([{id: split.doc._id, doc: split.doc, split}])
  }

  private fillOne(id: string): void {
    const deferred = this.deferred.get(id)
    if (!deferred) return
    try {
      fill(deferred)
    } catch (err) {
      // Kept deferred: every read of it fails the same way, none hands out the bare shell (a patch
      // would then write the shell back), and compaction still copies its bytes as they are.
      this.unreadable.add(id)
      throw apiError(
        500,
        'documentUnreadable',
        `document "${id}" cannot be read: its stored bytes do not parse (${(err as Error).message}) although their checksum matches, ` +
          `so the lake's files were changed by hand. Nothing was changed; stop the lake and restore an export into an empty LAKE_DIR ` +
          `(npm run lake -- import <export.ndjson>)`,
      )
    }
    this.deferred.delete(id)
  }

  private fillAll(): void {
    for (const id of this.deferred.keys()) this.fillOne(id)
  }

  /**
   * Parses the deferred documents a slice at a time between requests, until none is left, so that
   * the first scan after start-up does not pay for all of them. Does not keep the process alive.
   * A document that cannot be parsed is reported to `log` once and left deferred (reads of it fail).
   */
  fillInBackground(log?: (line: string) => void, sliceMs = 8): void {
    if (this.deferred.size === 0 || this.filling) return
    this.filling = true
    const step = (): void => {
      const until = performance.now() + sliceMs
      let n = 0
      for (const id of this.deferred.keys()) {
        if (this.unreadable.has(id)) continue
        try {
          this.fillOne(id)
        } catch (err) {
          log?.((err as Error).message)
        }
        if ((++n & 31) === 0 && performance.now() >= until) break
      }
      if (this.deferred.size > this.unreadable.size) setImmediate(step).unref()
      else this.filling = false
    }
    setImmediate(step).unref()
  }

  /** Every document's `_rev`, without parsing deferred documents. */
  revisions(): Set<string> {
    const out = new Set<string>()
    for (const doc of this.docs.values()) out.add(doc._rev)
    return out
  }

  /**
   * Published documents that strongly reference `id`. The reference index holds every `_ref` (weak,
   * cross-dataset and from drafts too), so its few hits are checked here: one index fewer to keep.
   */
  referrersOf(id: string): string[] {
    const out: string[] = []
    for (const referrer of this.indexes.refsTo.ids(id)) {
      if (isDraftOrVersionId(referrer)) continue
      const doc = this.get(referrer)
      if (doc && collectRefs(doc).strong.has(id)) out.push(referrer)
    }
    return out
  }

  /** The snapshot's document lines (their JSON, in parts) in `_id` order; a deferred document's bytes are copied, not parsed. */
  *snapshotLines(): Iterable<Array<string | Buffer>> {
    for (const doc of this.indexes.all.array()) {
      const deferred = this.deferred.get(doc._id)
      yield deferred ? [splitBytes(deferred)] : splitDocument(doc)
    }
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
    for (const effect of effects) {
      const {id, doc, split} = effect
      const replaced = this.deferred.get(id)
      if (replaced) {
        // Unindexed by its head, not parsed: replay replaces many documents it never reads. Nothing
        // holds the shell but the indexes (every reader got the document through a fill).
        this.deferred.delete(id)
        this.unreadable.delete(id)
        this.indexes.remove(replaced.doc, headRefs(replaced.head), replaced.head.slug)
      } else {
        const before = this.docs.get(id)
        if (before) this.indexes.remove(before, collectRefs(before).all)
      }
      if (doc && split) {
        this.docs.set(id, doc)
        this.deferred.set(id, split)
        this.indexes.add(doc, headRefs(split.head), split.head.slug)
      } else if (doc) {
        this.docs.set(id, doc)
        // The log computed them when it wrote the document (wal.ts recordContent).
        this.indexes.add(doc, (effect.refs ?? collectRefs(doc)).all)
      } else {
        this.docs.delete(id)
      }
    }
    this.version++
  }
}
