import path from 'node:path'
import {apiError, type LakeError} from './errors'
import {idProblem, isDraftOrVersionId, randomId} from './ids'
import type {Plan} from './mutations'
import {PendingState} from './pending'
import {ensurePrivateDir, ensurePrivateFile} from './private'
import {DocumentStore, strongRefs, type Effect, type LakeDocument} from './store'
import {History, HISTORY_FILE, historyRevisionsFrom} from './history'
import {LOG_FILE, recover, SNAPSHOT_FILE, TransactionLog, writeSnapshot, type LineAt} from './wal'

export interface CommittedTransaction extends Plan {
  seq: number
}

export type ImportMode = 'fail' | 'replace' | 'missing'

function logFailed(err: Error): LakeError {
  return apiError(
    503,
    'transactionLogFailed',
    `The transaction could not be made durable: ${err.message}. It was not applied; check the disk (space, errors in the system log) and restart the lake.`,
  )
}

export interface OpenOptions {
  /** Compact the log into a snapshot on open when it is at least this big. */
  compactAboveBytes?: number
  /** Revisions kept per document (history.ts); default LAKE_HISTORY_REVISIONS or 100. */
  historyRevisions?: number
  log?: (line: string) => void
}

const DEFAULT_COMPACT_ABOVE = 8 * 1024 * 1024

interface InFlight {
  tx: CommittedTransaction
  effects: Effect[]
  /** Where its log line is (its revisions are read from there until compaction). */
  at: LineAt
  /** Ids this transaction added to usedIds (to take back if it fails). */
  newIds: string[]
  resolve(tx: CommittedTransaction): void
  reject(err: Error): void
}

/**
 * One dataset on disk: the in-memory documents, the transaction log that makes them
 * durable, and the subscribers (listeners) that hear about each committed transaction.
 *
 * Group commit: transactions are planned one at a time (exclusive) against `pending` — the
 * durable state plus the transactions already in the log but not yet fsynced — and appended to
 * the log in that order. Only when an fdatasync covers a transaction is it applied to `store`
 * (what queries, exports and document reads see), told to listeners and acknowledged. So a reader
 * never sees a transaction a crash could still take away, a writer's answer comes after its
 * transaction is visible (read-your-writes), and a crash loses only a suffix of unacknowledged
 * transactions, each planned against a state that includes everything before it.
 */
export class Dataset {
  /** The durable documents: what every reader sees. */
  readonly store = new DocumentStore()
  /** The state the next transaction is planned against (store + transactions awaiting fsync). */
  readonly pending = new PendingState(this.store)
  /** The last durable transaction. */
  private seq = 0
  /** The last transaction appended to the log (durable or not). */
  private tipSeq = 0
  private log: TransactionLog
  private inFlight: InFlight[] = []
  private queue: Promise<unknown> = Promise.resolve()
  private subscribers = new Set<(tx: CommittedTransaction) => void>()
  /**
   * Every transaction id and document `_rev` this dataset has seen, kept across restarts and
   * compaction (the snapshot stores those that are no current document's `_rev`): a `_rev` must
   * name one content only, or a stale `ifRevisionID` would pass. Includes transactions awaiting fsync.
   */
  private usedIds = new Set<string>()
  /** Every document's recent revisions (history.ts). */
  readonly history: History
  /** The compaction that follows start-up when the log is large (it holds the exclusive section). */
  private compaction: Promise<void> | undefined

  private constructor(readonly dir: string, options: OpenOptions) {
    this.history = History.open(dir, {keep: options.historyRevisions ?? historyRevisionsFrom(process.env.LAKE_HISTORY_REVISIONS), log: options.log})
    let recovered: ReturnType<typeof recover>
    try {
      recovered = this.recover(dir)
    } catch (err) {
      this.history.close()
      throw err
    }
    if (recovered.truncatedBytes > 0) {
      options.log?.(`discarded a torn, unacknowledged transaction (${recovered.truncatedBytes} bytes) at the end of the log`)
    }
    this.seq = this.tipSeq = recovered.seq
    this.history.checkAgainst(recovered.seq)
    const threshold = options.compactAboveBytes ?? DEFAULT_COMPACT_ABOVE
    // Lines from before checksums are rewritten at once, so that no unchecked line stays on disk.
    const compaction =
      recovered.legacyLines > 0
        ? `rewrote ${recovered.legacyLines} lines without checksums (from an older lake) into a checksummed snapshot`
        : recovered.records > 0 && recovered.logBytes >= threshold
          ? `compacted ${recovered.records} logged transactions into a snapshot`
          : null
    this.log = new TransactionLog(dir, {durable: (seq) => this.durable(seq), failed: (err, repaired) => this.failed(err, repaired, options.log)})
    if (compaction) {
      // Right after start-up rather than inside it: reads are answered meanwhile, and writes wait for
      // it, since it holds the exclusive section (the store then stays as the snapshot records it).
      this.compaction = this.exclusive(() => this.compact(compaction, options.log))
    } else this.startedUp(options.log)
  }

  /** The log's records are not needed any more, and the documents read as heads are parsed between requests from now on. */
  private startedUp(log?: (line: string) => void): void {
    this.history.forgetReplayed()
    this.store.fillInBackground(log)
  }

  /** Replays snapshot and log into the store, the used ids and the history index. */
  private recover(dir: string): ReturnType<typeof recover> {
    // Each document goes into the store as it is read: no array of everything, and a log
    // record's superseded documents are garbage as soon as the next record replaces them.
    return recover(dir, {
      snapshotDoc: (doc) => {
        this.store.apply([{id: doc._id, doc}])
        if (typeof doc._rev === 'string') this.usedIds.add(doc._rev)
      },
      snapshotDeferred: (split) => {
        this.store.addDeferred(split)
        if (typeof split.doc._rev === 'string') this.usedIds.add(split.doc._rev)
      },
      snapshotTransactionIds: (ids) => {
        for (const id of ids) this.usedIds.add(id)
      },
      record: (record, at) => {
        this.history.fromLog(record, at, (id) => this.store.has(id))
        this.store.apply(record.effects)
        this.remember(record.transactionId, record.effects)
      },
    })
  }

  static open(dir: string, options: OpenOptions = {}): Dataset {
    ensurePrivateDir(dir)
    ensurePrivateFile(path.join(dir, LOG_FILE), 'transaction log')
    ensurePrivateFile(path.join(dir, SNAPSHOT_FILE), 'snapshot')
    ensurePrivateFile(path.join(dir, HISTORY_FILE), 'revision history')
    try {
      return new Dataset(dir, options)
    } catch (err) {
      // A system error (EACCES, EISDIR, …) would otherwise reach the user as a bare errno line.
      if (!(err as NodeJS.ErrnoException).code) throw err
      throw new Error(`cannot open the lake in ${dir}: ${(err as Error).message}; check that its files are yours and readable (ls -l ${dir}), or set LAKE_DIR to another directory`)
    }
  }

  /** Adds the ids a transaction uses; returns those that were new. */
  private remember(transactionId: string, effects: readonly Effect[]): string[] {
    const added: string[] = []
    const add = (id: string) => {
      if (this.usedIds.has(id)) return
      this.usedIds.add(id)
      added.push(id)
    }
    add(transactionId)
    for (const effect of effects) if (effect.doc && typeof effect.doc._rev === 'string') add(effect.doc._rev)
    return added
  }

  /**
   * Writes the snapshot and empties the log. A failure leaves the files as a crash at that point
   * would (the log is kept and replayed at the next start), so it is reported and the lake goes on.
   */
  private async compact(done: string, log?: (line: string) => void): Promise<void> {
    try {
      const revs = this.store.revisions()
      // The log's revisions move to the history file before the log is emptied.
      await this.history.archive()
      await writeSnapshot(this.dir, this.seq, {count: this.store.size, lines: this.store.snapshotLines()}, [...this.usedIds].filter((id) => !revs.has(id)))
      this.log.emptied()
      log?.(done)
    } catch (err) {
      log?.(`compaction failed (${(err as Error).message}); the log is kept as it is and replayed at the next start`)
    } finally {
      this.startedUp(log)
    }
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

  /**
   * Appends `plan` to the log and to the pending state, so the next transaction is planned on top
   * of it. Call inside `exclusive`, and await the promise outside it (or the fsync is not shared):
   * it resolves once the transaction is on disk, in the store and told to subscribers, and rejects
   * (503) if the log could not be written, in which case the transaction was never visible.
   */
  commit(plan: Plan): Promise<CommittedTransaction> {
    this.assertUnusedTransactionId(plan.transactionId)
    const failure = this.log.failure
    if (failure) throw logFailed(failure)
    const tx: CommittedTransaction = {...plan, seq: this.tipSeq + 1}
    const effects: Effect[] = plan.changes.map((c) => ({id: c.id, doc: c.after}))
    const at = this.log.append({seq: tx.seq, transactionId: tx.transactionId, timestamp: tx.timestamp, identity: tx.identity, effects})
    this.tipSeq = tx.seq
    this.pending.add(tx.seq, effects)
    const newIds = this.remember(tx.transactionId, effects)
    const done = new Promise<CommittedTransaction>((resolve, reject) => this.inFlight.push({tx, effects, at, newIds, resolve, reject}))
    // The caller awaits it after leaving `exclusive`; until then a rejection is not "unhandled".
    done.catch(() => {})
    return done
  }

  /** The log synced everything up to `seq`: those transactions become visible, in order. */
  private durable(seq: number): void {
    let settled = 0
    while (settled < this.inFlight.length && this.inFlight[settled]!.tx.seq <= seq) settled++
    const batch = this.inFlight.splice(0, settled)
    for (const {tx, effects, at} of batch) {
      this.store.apply(effects)
      this.history.fromCommit(tx, at)
      this.pending.settle(tx.seq, tx.changes.map((c) => c.id))
      this.seq = tx.seq
    }
    for (const {tx, resolve} of batch) {
      for (const subscriber of this.subscribers) {
        try {
          subscriber(tx)
        } catch {
          /* a failing listener must not undo or block a committed transaction */
        }
      }
      resolve(tx)
    }
  }

  /** Nothing awaiting fsync made it: all of it fails, and the state goes back to the durable one. */
  private failed(err: Error, repaired: boolean, log?: (line: string) => void): void {
    const lost = this.inFlight.splice(0)
    log?.(
      `the transaction log could not be synced (${err.message}): ${lost.length} unacknowledged transaction(s) failed; ` +
        `writes are refused until the lake is restarted${repaired ? '' : '; the log could not be cut back either, so they may reappear on restart'}`,
    )
    this.pending.clear()
    this.tipSeq = this.seq
    for (const {newIds} of lost) for (const id of newIds) this.usedIds.delete(id)
    const answer = logFailed(err)
    for (const {reject} of lost) reject(answer)
  }

  subscribe(fn: (tx: CommittedTransaction) => void): () => void {
    this.subscribers.add(fn)
    return () => this.subscribers.delete(fn)
  }

  /**
   * Imports documents as `sanity dataset import` does, in one transaction, keeping their
   * `_rev`/`_createdAt`/`_updatedAt` so that export → import round-trips byte for byte.
   */
  async importDocuments(docs: readonly unknown[], mode: ImportMode): Promise<{created: number; replaced: number; skipped: number}> {
    // Exclusive like every other writer: it plans against the state it commits on.
    const {durable, result} = await this.exclusive(() => this.planImport(docs, mode))
    await durable
    return result
  }

  private planImport(docs: readonly unknown[], mode: ImportMode): {durable?: Promise<CommittedTransaction>; result: {created: number; replaced: number; skipped: number}} {
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
    const existing = [...byId.keys()].filter((id) => this.pending.has(id))
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
        if (!byId.has(target) && !this.pending.has(target)) {
          throw new Error(`document "${doc._id}" references non-existent document "${target}"; nothing was imported`)
        }
      }
    }
    const changes = [...byId.values()].map((doc) => ({id: doc._id, before: this.pending.get(doc._id) ?? null, after: doc, mutations: [{createOrReplace: doc}]}))
    const durable = changes.length > 0 ? this.commit({transactionId, timestamp, identity: 'import', changes, results: []}) : undefined
    const replaced = mode === 'replace' ? existing.length : 0
    return {durable, result: {created: byId.size - replaced, replaced, skipped: mode === 'missing' ? existing.length : 0}}
  }

  /** Waits for the transactions awaiting fsync (they are acknowledged or fail), then closes the log. */
  async close(): Promise<void> {
    await this.compaction
    await this.log.close()
    this.history.close()
    this.subscribers.clear()
  }
}
