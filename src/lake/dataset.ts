import path from 'node:path'
import {apiError} from './errors'
import {idProblem, isDraftOrVersionId, randomId} from './ids'
import type {Plan} from './mutations'
import {ensurePrivateDir, ensurePrivateFile} from './private'
import {DocumentStore, strongRefs, type Effect, type LakeDocument} from './store'
import {LOG_FILE, recover, SNAPSHOT_FILE, TransactionLog, writeSnapshot} from './wal'

export interface CommittedTransaction extends Plan {
  seq: number
}

export type ImportMode = 'fail' | 'replace' | 'missing'

export interface OpenOptions {
  /** Compact the log into a snapshot on open when it is at least this big. */
  compactAboveBytes?: number
  log?: (line: string) => void
}

const DEFAULT_COMPACT_ABOVE = 8 * 1024 * 1024

/**
 * One dataset on disk: the in-memory documents, the transaction log that makes them
 * durable, and the subscribers (listeners) that hear about each committed transaction.
 */
export class Dataset {
  readonly store = new DocumentStore()
  private seq = 0
  private log: TransactionLog
  private queue: Promise<unknown> = Promise.resolve()
  private subscribers = new Set<(tx: CommittedTransaction) => void>()
  /**
   * Every transaction id and document `_rev` this dataset has seen, kept across restarts and
   * compaction (the snapshot stores those that are no current document's `_rev`): a `_rev` must
   * name one content only, or a stale `ifRevisionID` would pass.
   */
  private usedIds = new Set<string>()

  private constructor(readonly dir: string, options: OpenOptions) {
    const recovered = recover(dir)
    if (recovered.truncatedBytes > 0) {
      options.log?.(`discarded a torn, unacknowledged transaction (${recovered.truncatedBytes} bytes) at the end of the log`)
    }
    this.store.apply(recovered.snapshotDocs.map((doc) => ({id: doc._id, doc})))
    for (const doc of recovered.snapshotDocs) if (typeof doc._rev === 'string') this.usedIds.add(doc._rev)
    for (const id of recovered.snapshotTransactionIds) this.usedIds.add(id)
    for (const record of recovered.records) {
      this.store.apply(record.effects)
      this.remember(record.transactionId, record.effects)
    }
    this.seq = recovered.seq
    const threshold = options.compactAboveBytes ?? DEFAULT_COMPACT_ABOVE
    if (recovered.legacyLines > 0) {
      // Lines from before checksums: rewrite them now, so that no unchecked line stays on disk.
      this.compact()
      options.log?.(`rewrote ${recovered.legacyLines} lines without checksums (from an older lake) into a checksummed snapshot`)
    } else if (recovered.records.length > 0 && recovered.logBytes >= threshold) {
      this.compact()
      options.log?.(`compacted ${recovered.records.length} logged transactions into a snapshot`)
    }
    this.log = new TransactionLog(dir)
  }

  static open(dir: string, options: OpenOptions = {}): Dataset {
    ensurePrivateDir(dir)
    ensurePrivateFile(path.join(dir, LOG_FILE), 'transaction log')
    ensurePrivateFile(path.join(dir, SNAPSHOT_FILE), 'snapshot')
    try {
      return new Dataset(dir, options)
    } catch (err) {
      // A system error (EACCES, EISDIR, …) would otherwise reach the user as a bare errno line.
      if (!(err as NodeJS.ErrnoException).code) throw err
      throw new Error(`cannot open the lake in ${dir}: ${(err as Error).message}; check that its files are yours and readable (ls -l ${dir}), or set LAKE_DIR to another directory`)
    }
  }

  private remember(transactionId: string, effects: readonly Effect[]): void {
    this.usedIds.add(transactionId)
    for (const effect of effects) if (effect.doc && typeof effect.doc._rev === 'string') this.usedIds.add(effect.doc._rev)
  }

  private compact(): void {
    const docs = this.store.all()
    const revs = new Set(docs.map((doc) => doc._rev))
    writeSnapshot(this.dir, this.seq, docs, [...this.usedIds].filter((id) => !revs.has(id)))
  }

  /**
   * Runs `fn` after every earlier exclusive section has finished. Planning a transaction is
   * async (GROQ), so without this two transactions could both plan against the same state.
   */
  exclusive<T>(fn: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  /**
   * A 409 when `transactionId` already named a committed transaction. commit() checks it; callers
   * check it too for a dry run or a transaction that changes nothing, which never reach commit().
   */
  assertUnusedTransactionId(transactionId: string): void {
    if (this.usedIds.has(transactionId)) {
      throw apiError(
        409,
        'conflict',
        `Transaction ID "${transactionId}" has already been used in this dataset: a transaction id names one transaction only, ` +
          `and documents take it as their _rev. Send a new transactionId, or none to let the lake generate one; nothing was changed.`,
        {transactionId},
      )
    }
  }

  /** Makes `plan` durable (fsync) and visible, then tells subscribers. Call inside `exclusive`. */
  commit(plan: Plan): CommittedTransaction {
    this.assertUnusedTransactionId(plan.transactionId)
    const tx: CommittedTransaction = {...plan, seq: this.seq + 1}
    const effects: Effect[] = plan.changes.map((c) => ({id: c.id, doc: c.after}))
    this.log.append({seq: tx.seq, transactionId: tx.transactionId, timestamp: tx.timestamp, identity: tx.identity, effects})
    this.seq = tx.seq
    this.store.apply(effects)
    this.remember(tx.transactionId, effects)
    for (const subscriber of this.subscribers) {
      try {
        subscriber(tx)
      } catch {
        /* a failing listener must not undo or block a committed transaction */
      }
    }
    return tx
  }

  subscribe(fn: (tx: CommittedTransaction) => void): () => void {
    this.subscribers.add(fn)
    return () => this.subscribers.delete(fn)
  }

  /**
   * Imports documents as `sanity dataset import` does, in one transaction, keeping their
   * `_rev`/`_createdAt`/`_updatedAt` so that export → import round-trips byte for byte.
   */
  importDocuments(docs: readonly unknown[], mode: ImportMode): {created: number; replaced: number; skipped: number} {
    const transactionId = randomId()
    const timestamp = new Date().toISOString()
    const byId = new Map<string, LakeDocument>()
    docs.forEach((raw, i) => {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`line ${i + 1}: not a JSON object`)
      const doc = raw as Record<string, unknown>
      const problem = idProblem(doc._id)
      if (problem) throw new Error(`line ${i + 1}: invalid _id ${JSON.stringify(doc._id)}: ${problem}`)
      if (typeof doc._type !== 'string' || doc._type === '') throw new Error(`line ${i + 1}: document "${doc._id}" has no _type`)
      if (byId.has(doc._id as string)) throw new Error(`line ${i + 1}: duplicate _id "${doc._id}" in the import file`)
      byId.set(doc._id as string, {
        ...doc,
        _rev: typeof doc._rev === 'string' ? doc._rev : transactionId,
        _createdAt: typeof doc._createdAt === 'string' ? doc._createdAt : timestamp,
        _updatedAt: typeof doc._updatedAt === 'string' ? doc._updatedAt : timestamp,
      } as LakeDocument)
    })
    const existing = [...byId.keys()].filter((id) => this.store.has(id))
    if (mode === 'fail' && existing.length > 0) {
      const list = existing.slice(0, 5).map((id) => `"${id}"`).join(', ')
      throw new Error(
        `${existing.length} document(s) already exist (${list}${existing.length > 5 ? ', …' : ''}); use --replace to overwrite them or --missing to skip them`,
      )
    }
    if (mode === 'missing') for (const id of existing) byId.delete(id)
    for (const doc of byId.values()) {
      if (isDraftOrVersionId(doc._id)) continue
      for (const target of strongRefs(doc)) {
        if (!byId.has(target) && !this.store.has(target)) {
          throw new Error(`document "${doc._id}" references non-existent document "${target}"; nothing was imported`)
        }
      }
    }
    const changes = [...byId.values()].map((doc) => ({id: doc._id, before: this.store.get(doc._id) ?? null, after: doc, mutations: [{createOrReplace: doc}]}))
    if (changes.length > 0) {
      this.commit({transactionId, timestamp, identity: 'import', changes, results: []})
    }
    const replaced = mode === 'replace' ? existing.length : 0
    return {created: byId.size - replaced, replaced, skipped: mode === 'missing' ? existing.length : 0}
  }

  close(): void {
    this.subscribers.clear()
    this.log.close()
  }
}
