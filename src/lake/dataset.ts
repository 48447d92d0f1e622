import fs from 'node:fs'
import {idProblem, isDraftOrVersionId, randomId} from './ids'
import type {Plan} from './mutations'
import {DocumentStore, strongRefs, type Effect, type LakeDocument} from './store'
import {recover, TransactionLog, writeSnapshot} from './wal'

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

  private constructor(readonly dir: string, options: OpenOptions) {
    const recovered = recover(dir)
    if (recovered.truncatedBytes > 0) {
      options.log?.(`discarded a torn, unacknowledged transaction (${recovered.truncatedBytes} bytes) at the end of the log`)
    }
    this.store.apply(recovered.snapshotDocs.map((doc) => ({id: doc._id, doc})))
    for (const record of recovered.records) this.store.apply(record.effects)
    this.seq = recovered.seq
    const threshold = options.compactAboveBytes ?? DEFAULT_COMPACT_ABOVE
    if (recovered.records.length > 0 && recovered.logBytes >= threshold) {
      writeSnapshot(dir, this.seq, this.store.all())
      options.log?.(`compacted ${recovered.records.length} logged transactions into a snapshot`)
    }
    this.log = new TransactionLog(dir)
  }

  static open(dir: string, options: OpenOptions = {}): Dataset {
    fs.mkdirSync(dir, {recursive: true})
    return new Dataset(dir, options)
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

  /** Makes `plan` durable (fsync) and visible, then tells subscribers. Call inside `exclusive`. */
  commit(plan: Plan): CommittedTransaction {
    const tx: CommittedTransaction = {...plan, seq: this.seq + 1}
    const effects: Effect[] = plan.changes.map((c) => ({id: c.id, doc: c.after}))
    this.log.append({seq: tx.seq, transactionId: tx.transactionId, timestamp: tx.timestamp, identity: tx.identity, effects})
    this.seq = tx.seq
    this.store.apply(effects)
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
