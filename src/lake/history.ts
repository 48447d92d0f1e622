import fs from 'node:fs'
import path from 'node:path'
import {fill, readHead, splitBytes} from './deferred'
import type {DocChange} from './mutations'
import type {Effect, LakeDocument} from './store'
import {checksum, decodeRecord, forEachLine, fsyncAsync, fsyncDir, lineWriter, LOG_FILE, pauser, SUM_PREFIX, type LineAt, type TransactionRecord} from './wal'

/**
 * Revision history: every document's revisions, kept across restarts and compaction, for the
 * history API (the Studio's History panel, "Review changes", restore).
 *
 * Nothing extra is written when a transaction commits: the log already holds each transaction's
 * resulting documents, so a revision made since the last compaction is a pointer into the log.
 * When start-up compacts the log into the snapshot, the revisions the log held are first copied
 * into `history.ndjson` (append-only, fsynced before the log is emptied), one line per document
 * revision: `<crc32> <header JSON>\t<document JSON or null>`. JSON never holds a raw tab, so the
 * first tab ends the header; start-up parses only headers (id, seq, transaction, time, author)
 * into an index id → revisions (file offsets), never the documents.
 *
 * Bound: the last LAKE_HISTORY_REVISIONS revisions of each document id (drafts and versions count
 * as ids of their own). Older ones leave the index at once; their bytes leave the file when a
 * compaction finds more than half of it unused, and rewrites it (temp file, fsync, rename).
 */

export const HISTORY_FILE = 'history.ndjson'
const HISTORY_TMP = 'history.ndjson.tmp'
export const DEFAULT_HISTORY_REVISIONS = 100
const TAB = 0x09
const IN_HISTORY = 0
const IN_LOG = 1

/** The history limit from LAKE_HISTORY_REVISIONS; refuses anything but a whole number. */
export function historyRevisionsFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_HISTORY_REVISIONS
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) {
    throw new Error(`LAKE_HISTORY_REVISIONS=${value} is not a count of revisions per document (a whole number, e.g. 100; 0 keeps no history)`)
  }
  return n
}

/** One transaction, shared by the revisions it made. */
export interface TxMeta {
  seq: number
  id: string
  timestamp: string
  author: string
  /** Kept revisions made by it; at 0 it leaves the index. */
  refs: number
}

/** One revision of one document: where its content is, and what the index needs to find it. */
export interface Revision {
  tx: TxMeta
  /** The document's `_rev` after the transaction; null when the transaction deleted it. */
  rev: string | null
  /** Whether the document existed before the transaction (so a first revision kept can still be an edit). */
  existed: boolean
  file: typeof IN_HISTORY | typeof IN_LOG
  offset: number
  length: number
}

interface Header {
  id: string
  seq: number
  tx: string
  ts: string
  author: string
  existed: boolean
  rev: string | null
}

export interface HistoryOptions {
  /** Revisions kept per document id (0: none). */
  keep: number
  log?: (line: string) => void
}

function isHeader(value: unknown): value is Header {
  if (value === null || typeof value !== 'object') return false
  const h = value as Record<string, unknown>
  return (
    typeof h.id === 'string' &&
    Number.isSafeInteger(h.seq) &&
    typeof h.tx === 'string' &&
    typeof h.ts === 'string' &&
    typeof h.author === 'string' &&
    typeof h.existed === 'boolean' &&
    (h.rev === null || typeof h.rev === 'string')
  )
}

export class History {
  private readonly byId = new Map<string, Revision[]>()
  private readonly file: string
  private readonly logFile: string
  private fd: number | null = null
  private logFd: number | null = null
  /** Bytes of the history file, and how many of them no kept revision uses. */
  private size = 0
  private garbage = 0
  /** The last transaction the history file holds: log records up to it are already in it. */
  private fileSeq = 0
  /** Log records read at start-up, by offset: a compaction right after start-up archives from them instead of reading the log again. */
  private replayed = new Map<number, TransactionRecord>()
  /** Transactions indexed, by id, for `revision=` lookups of documents a transaction did not touch. */
  private readonly txById = new Map<string, TxMeta>()

  private constructor(
    private readonly dir: string,
    private readonly options: HistoryOptions,
  ) {
    this.file = path.join(dir, HISTORY_FILE)
    this.logFile = path.join(dir, LOG_FILE)
  }

  get keep(): number {
    return this.options.keep
  }

  /** Opens (or starts) the history file and indexes it; cuts a torn last line, skips damaged ones with a warning. */
  static open(dir: string, options: HistoryOptions): History {
    const history = new History(dir, options)
    fs.rmSync(path.join(dir, HISTORY_TMP), {force: true})
    // Made by the first compaction that has revisions to keep: a start that fails changes nothing.
    if (options.keep > 0 && fs.existsSync(history.file)) history.scan()
    return history
  }

  private scan(): void {
    this.fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_APPEND)
    let damaged = 0
    const read = forEachLine(this.fd, (buf, start, end, offset) => {
      const length = end - start + 1
      const header = this.parseHeader(buf, start, end)
      if (!header) {
        damaged++
        this.garbage += length
        return
      }
      this.fileSeq = Math.max(this.fileSeq, header.seq)
      this.add(header.id, this.meta(header.seq, header.tx, header.ts, header.author), header.rev, header.existed, IN_HISTORY, offset, length)
    })
    if (read.size > read.complete) {
      // The newline is written last; a line without one was never fsynced whole (compaction was cut short).
      fs.ftruncateSync(this.fd, read.complete)
      fs.fsyncSync(this.fd)
    }
    this.size = read.complete
    if (damaged > 0) {
      this.options.log?.(`history: skipped ${damaged} damaged line(s) in ${this.file}; those revisions are not served (the documents themselves are intact)`)
    }
  }

  private parseHeader(buf: Buffer, start: number, end: number): Header | null {
    if (end - start <= SUM_PREFIX || buf[start + SUM_PREFIX - 1] !== 0x20) return null
    if (buf.toString('latin1', start, start + SUM_PREFIX - 1) !== checksum(buf.subarray(start + SUM_PREFIX, end))) return null
    const tab = buf.indexOf(TAB, start + SUM_PREFIX)
    if (tab === -1 || tab >= end) return null
    try {
      const header: unknown = JSON.parse(buf.toString('utf8', start + SUM_PREFIX, tab))
      return isHeader(header) ? header : null
    } catch {
      return null
    }
  }

  /** One TxMeta per transaction: revisions of the same transaction share it. */
  private meta(seq: number, id: string, timestamp: string, author: string): TxMeta {
    const known = this.txById.get(id)
    if (known && known.seq === seq) return known
    const meta = {seq, id, timestamp, author, refs: 0}
    this.txById.set(id, meta)
    return meta
  }

  private add(id: string, tx: TxMeta, rev: string | null, existed: boolean, file: Revision['file'], offset: number, length: number): void {
    if (this.options.keep === 0) return
    let list = this.byId.get(id)
    if (!list) this.byId.set(id, (list = []))
    list.push({tx, rev, existed, file, offset, length})
    tx.refs++
    while (list.length > this.options.keep) this.forget(list.shift()!)
  }

  private forget(revision: Revision): void {
    if (revision.file === IN_HISTORY) this.garbage += revision.length
    if (--revision.tx.refs === 0 && this.txById.get(revision.tx.id) === revision.tx) this.txById.delete(revision.tx.id)
  }

  /** A transaction replayed from the log at start-up; `existed(id)` tells whether the document existed before it. */
  fromLog(record: TransactionRecord, at: LineAt, existed: (id: string) => boolean): void {
    if (this.options.keep === 0 || record.seq <= this.fileSeq) return
    this.replayed.set(at.offset, record)
    const tx = this.meta(record.seq, record.transactionId, record.timestamp, record.identity)
    for (const effect of record.effects) this.add(effect.id, tx, effect.doc?._rev ?? null, existed(effect.id), IN_LOG, at.offset, at.length)
  }

  /** A transaction that just became durable at `at` in the log. */
  fromCommit(tx: {seq: number; transactionId: string; timestamp: string; identity: string; changes: readonly DocChange[]}, at: LineAt): void {
    if (this.options.keep === 0) return
    const meta = this.meta(tx.seq, tx.transactionId, tx.timestamp, tx.identity)
    for (const change of tx.changes) this.add(change.id, meta, change.after?._rev ?? null, change.before !== null, IN_LOG, at.offset, at.length)
  }

  /**
   * Start-up found the log at transaction `seq`: a history file that claims later transactions
   * belongs to another state of this directory (the log and snapshot were replaced by hand), so
   * it is set aside rather than mixed in.
   */
  checkAgainst(seq: number): void {
    if (this.fileSeq <= seq || this.fd === null) return
    const aside = `${this.file}.orphaned-${Date.now()}`
    fs.closeSync(this.fd)
    fs.renameSync(this.file, aside)
    this.options.log?.(`history: ${this.file} holds transactions up to #${this.fileSeq} but the log ends at #${seq}; it was moved to ${aside} and history starts afresh`)
    this.byId.clear()
    this.txById.clear()
    this.size = this.garbage = this.fileSeq = 0
    this.fd = null
  }

  /** The kept revisions of `id`, oldest first (do not modify). */
  revisions(id: string): readonly Revision[] {
    return this.byId.get(id) ?? []
  }

  /** The transaction with this id, if a kept revision came from it. */
  transaction(id: string): TxMeta | undefined {
    return this.txById.get(id)
  }

  /** The document as `revision` left it (null: deleted). Throws when its line is damaged. */
  read(id: string, revision: Revision): LakeDocument | null {
    if (revision.rev === null) return null
    if (revision.file === IN_HISTORY) {
      const buf = this.pread(this.fd!, revision)
      const line = this.parseHistoryLine(buf)
      if (!line || line.header.id !== id) throw new Error(`history line at byte ${revision.offset} of ${this.file} is damaged`)
      return line.doc
    }
    const effect = this.logRecord(revision).effects.find((e) => e.id === id)
    if (effect?.split) fill(effect.split)
    return effect?.doc ?? null
  }

  /** The log record a revision points into (a line from before checksums, too: start-up compacts those away). */
  private logRecord(at: {offset: number; length: number}): TransactionRecord {
    this.logFd ??= fs.openSync(this.logFile, 'r')
    const buf = this.pread(this.logFd, at)
    const end = buf.length - 1
    if (buf[0] === 0x7b /* { */) return JSON.parse(buf.toString('utf8', 0, end)) as TransactionRecord
    if (buf.toString('latin1', 0, SUM_PREFIX - 1) !== checksum(buf.subarray(SUM_PREFIX, end))) {
      throw new Error(`log line at byte ${at.offset} of ${this.logFile} does not match its checksum`)
    }
    return decodeRecord(buf, SUM_PREFIX, end)
  }

  private pread(fd: number, at: {offset: number; length: number}): Buffer {
    const buf = Buffer.allocUnsafe(at.length)
    let got = 0
    while (got < at.length) {
      const n = fs.readSync(fd, buf, got, at.length - got, at.offset + got)
      if (n === 0) throw new Error(`history: unexpected end of file at byte ${at.offset + got}`)
      got += n
    }
    return buf
  }

  private parseHistoryLine(buf: Buffer): {header: Header; doc: LakeDocument | null} | null {
    const end = buf.length - 1
    const header = this.parseHeader(buf, 0, end)
    if (!header) return null
    const tab = buf.indexOf(TAB, SUM_PREFIX)
    // A document archived from a log of format 2 is split as the log had it (deferred.ts).
    const split = readHead(buf, tab + 1, end)
    if (!split) return {header, doc: JSON.parse(buf.toString('utf8', tab + 1, end)) as LakeDocument | null}
    fill({doc: split.head.shell, buf, start: tab + 1, bodyAt: split.bodyAt, end})
    return {header, doc: split.head.shell}
  }

  /**
   * Copies the revisions that point into the log into the history file and fsyncs it; call before
   * the log is emptied (compaction). Rewrites the file first when most of it is unused.
   */
  async archive(): Promise<void> {
    if (this.options.keep === 0) return
    if (this.garbage > (1 << 20) && this.garbage * 2 > this.size) this.rewrite()
    // Log lines in file order, each with the kept revisions that point into it.
    const fromLog = new Map<number, Array<{id: string; revision: Revision}>>()
    for (const [id, list] of this.byId) {
      for (const revision of list) {
        if (revision.file !== IN_LOG) continue
        let group = fromLog.get(revision.offset)
        if (!group) fromLog.set(revision.offset, (group = []))
        group.push({id, revision})
      }
    }
    if (fromLog.size === 0) return
    if (this.fd === null) {
      this.fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_APPEND, 0o600)
      fsyncDir(this.dir)
    }
    const writer = lineWriter(this.fd!, this.size)
    const moved: Array<[Revision, number, number]> = []
    const pause = pauser()
    for (const offset of [...fromLog.keys()].sort((a, b) => a - b)) {
      await pause()
      const group = fromLog.get(offset)!
      const record = this.replayed.get(offset) ?? this.logRecord(group[0]!.revision)
      const effects = new Map(record.effects.map((e) => [e.id, e]))
      for (const {id, revision} of group) {
        const at = writer.add(...this.line(id, revision, effects.get(id)))
        moved.push([revision, at.offset, at.length])
      }
    }
    writer.flush()
    await fsyncAsync(this.fd!)
    // Only now, with the lines on disk, do the revisions stop pointing into the log.
    for (const [revision, offset, length] of moved) {
      revision.file = IN_HISTORY
      revision.offset = offset
      revision.length = length
      this.fileSeq = Math.max(this.fileSeq, revision.tx.seq)
    }
    this.size = writer.end
  }

  /** A history line's JSON, in parts (wal.ts lineWriter). */
  private line(id: string, revision: Revision, effect: Effect | undefined): Array<string | Buffer> {
    const {tx} = revision
    const header: Header = {id, seq: tx.seq, tx: tx.id, ts: tx.timestamp, author: tx.author, existed: revision.existed, rev: revision.rev}
    const doc = effect?.doc ?? null
    if (!doc || !effect?.split) return [`${JSON.stringify(header)}\t`, JSON.stringify(doc)]
    // The logged document's bytes are copied as they are, split, not parsed and stringified again.
    return [`${JSON.stringify(header)}\t`, splitBytes(effect.split)]
  }

  /** Writes the kept history-file revisions to a new file and swaps it in. */
  private rewrite(): void {
    const tmp = path.join(this.dir, HISTORY_TMP)
    const fd = fs.openSync(tmp, 'w', 0o600)
    const moved: Array<[Revision, number]> = []
    let end = 0
    try {
      const writer = lineWriter(fd, 0)
      for (const list of this.byId.values()) {
        for (const revision of list) {
          if (revision.file !== IN_HISTORY) continue
          moved.push([revision, writer.addFramed(this.pread(this.fd!, revision)).offset])
        }
      }
      writer.flush()
      fs.fsyncSync(fd)
      end = writer.end
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, this.file)
    fsyncDir(this.dir)
    const before = this.size
    fs.closeSync(this.fd!)
    this.fd = fs.openSync(this.file, fs.constants.O_RDWR | fs.constants.O_APPEND)
    for (const [revision, offset] of moved) revision.offset = offset
    this.size = end
    this.garbage = 0
    this.options.log?.(`history: rewrote ${this.file} without revisions past the limit (${before} → ${end} bytes)`)
  }

  /** Start-up is over: the replayed records are not needed any more. */
  forgetReplayed(): void {
    this.replayed.clear()
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd)
    if (this.logFd !== null) fs.closeSync(this.logFd)
    this.fd = this.logFd = null
  }
}
