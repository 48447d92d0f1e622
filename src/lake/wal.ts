import fs from 'node:fs'
import path from 'node:path'
import {crc32} from 'node:zlib'
import type {Effect, LakeDocument} from './store'

/**
 * Durability: one append-only log line per whole transaction (the resulting documents,
 * not the mutations, so replay needs no patch engine and cannot diverge), fsynced
 * before the transaction is acknowledged. A snapshot (written to a temp file, fsynced,
 * renamed) lets the log be emptied on start.
 *
 * Every line of both files is `<crc32 of the JSON, 8 hex digits> <JSON>\n`. zlib's crc32 is
 * native (Node ≥ 20.15) and far faster than JSON.parse, so checking every line on start costs
 * little; it catches disk damage and hand edits (it is not meant to resist forgery).
 *
 * Recovery: only a final line without its newline is a torn write. The newline is the last byte
 * of the single write and the fdatasync comes after it, so such a line was never acknowledged,
 * and it is cut. A complete line that fails its checksum or does not parse may be an
 * acknowledged transaction: start-up refuses, naming the file, line and byte offset.
 * Lines without a checksum come from lakes made before checksums; they are accepted only
 * before the first checksummed line, and the lake rewrites them into a checksummed snapshot.
 */

export const LOG_FILE = 'transactions.ndjson'
export const SNAPSHOT_FILE = 'snapshot.ndjson'
const SNAPSHOT_TMP = 'snapshot.ndjson.tmp'
const SNAPSHOT_FORMAT = 'sanity-newsroom-lake-snapshot/2'
const LEGACY_SNAPSHOT_FORMAT = 'sanity-newsroom-lake-snapshot/1'
/** Transaction ids per snapshot line. */
const IDS_PER_LINE = 1000
/** `xxxxxxxx ` before the JSON. */
const SUM_PREFIX = 9
const NEWLINE = 0x0a

export interface TransactionRecord {
  seq: number
  transactionId: string
  timestamp: string
  identity: string
  effects: Effect[]
}

export interface Recovered {
  /** Sequence number of the last transaction in the recovered state. */
  seq: number
  snapshotDocs: LakeDocument[]
  /** Transaction ids the snapshot keeps (ids that are no document's `_rev`). */
  snapshotTransactionIds: string[]
  records: TransactionRecord[]
  /** Bytes of a torn tail that were cut off the log. */
  truncatedBytes: number
  logBytes: number
  /** Lines (snapshot or log) in the format without checksums; rewrite them by compacting. */
  legacyLines: number
}

function checksum(data: string | Uint8Array): string {
  return crc32(data).toString(16).padStart(8, '0')
}

/** One line of the log or snapshot: checksum, space, JSON, newline. */
export function frameLine(json: string): string {
  return `${checksum(json)} ${json}\n`
}

function isHexDigit(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
}

type Line = {value: unknown; legacy: boolean} | {problem: string}

/** Checks and parses the line buf[start, end) (without its newline). */
function parseLine(buf: Buffer, start: number, end: number, allowLegacy: boolean): Line {
  let checked = end - start > SUM_PREFIX && buf[start + SUM_PREFIX - 1] === 0x20
  for (let i = start; checked && i < start + SUM_PREFIX - 1; i++) checked = isHexDigit(buf[i])
  if (checked) {
    const stated = buf.toString('latin1', start, start + SUM_PREFIX - 1)
    const actual = checksum(buf.subarray(start + SUM_PREFIX, end))
    if (stated !== actual) return {problem: `checksum mismatch (the line says ${stated}, its content gives ${actual})`}
    try {
      return {value: JSON.parse(buf.toString('utf8', start + SUM_PREFIX, end)), legacy: false}
    } catch (err) {
      return {problem: `the checksum matches but the JSON does not parse (${(err as Error).message})`}
    }
  }
  if (end > start && buf[start] === 0x7b /* { */) {
    if (!allowLegacy) return {problem: 'a line without a checksum among checksummed lines'}
    try {
      return {value: JSON.parse(buf.toString('utf8', start, end)), legacy: true}
    } catch (err) {
      return {problem: `not valid JSON (${(err as Error).message})`}
    }
  }
  return {problem: end === start ? 'an empty line' : 'neither a checksummed line nor JSON'}
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value
}

function recordProblem(value: unknown): string | null {
  if (!isObject(value)) return `not a transaction record (it is ${kindOf(value)})`
  if (!Number.isSafeInteger(value.seq) || (value.seq as number) < 1) return 'a record without a valid "seq"'
  if (typeof value.transactionId !== 'string') return 'a record without a "transactionId"'
  if (!Array.isArray(value.effects)) return 'a record without "effects"'
  for (const effect of value.effects) {
    if (!isObject(effect) || typeof effect.id !== 'string') return 'a record with a malformed effect'
    if (effect.doc !== null && !(isObject(effect.doc) && effect.doc._id === effect.id)) return `a record with a malformed document for "${effect.id}"`
  }
  return null
}

/** The newline-terminated lines after `from`. */
function countLines(buf: Buffer, from: number): number {
  let n = 0
  for (let i = buf.indexOf(NEWLINE, from); i !== -1; i = buf.indexOf(NEWLINE, i + 1)) n++
  return n
}

function logCorruption(file: string, buf: Buffer, lineNo: number, offset: number, nl: number, problem: string): Error {
  const later = countLines(buf, nl + 1)
  const dir = path.dirname(file)
  return new Error(
    `transaction log ${file} is corrupt at line ${lineNo} (byte offset ${offset}): ${problem}. ` +
      `The line is complete (it ends with a newline), so it is not a torn write and may be an acknowledged transaction; ` +
      `the lake refuses to start and has changed nothing. To recover, keep a copy first (cp -a ${dir} ${dir}.bak), then either ` +
      `cut the log at that offset (truncate -s ${offset} ${file}), losing ${later === 0 ? 'that last transaction' : `that transaction and the ${later} after it`}, ` +
      `or restore an earlier export into an empty LAKE_DIR (npm run lake -- import <export.ndjson>).`,
  )
}

function snapshotCorruption(file: string, lineNo: number, offset: number, problem: string, legacy: boolean): Error {
  const dir = path.dirname(file)
  const where = lineNo === 1 ? 'line 1, its header' : `line ${lineNo}`
  return new Error(
    `snapshot ${file} is corrupt at ${where} (byte offset ${offset}): ${problem}. ` +
      `The lake refuses to start and has changed nothing. The snapshot holds every document as of its last compaction ` +
      `(the log holds only later transactions), so it cannot be cut like the log. To recover, keep a copy first ` +
      `(cp -a ${dir} ${dir}.bak), then restore an earlier export into an empty LAKE_DIR (npm run lake -- import <export.ndjson>). ` +
      `Without an export, the other document lines are intact: ${legacy ? 'each is one document' : 'each is one document after a 9-character checksum'}, ` +
      `and they can be imported the same way.`,
  )
}

interface Snapshot {
  seq: number
  docs: LakeDocument[]
  transactionIds: string[]
  legacyLines: number
}

/** Reads and checks every line of the snapshot; any fault is corruption (it is written whole, then renamed). */
function readSnapshot(file: string): Snapshot {
  if (!fs.existsSync(file)) return {seq: 0, docs: [], transactionIds: [], legacyLines: 0}
  const buf = fs.readFileSync(file)
  let offset = 0
  let lineNo = 0
  let legacy = false
  let header: {seq: number; count: number; ids: number} | undefined
  const docs: LakeDocument[] = []
  const transactionIds: string[] = []
  const fail = (problem: string, at = offset) => snapshotCorruption(file, Math.max(lineNo, 1), at, problem, legacy)
  while (offset < buf.length) {
    const nl = buf.indexOf(NEWLINE, offset)
    lineNo++
    if (nl === -1) throw fail('the last line has no newline (the file was cut short)')
    const line = parseLine(buf, offset, nl, lineNo === 1 || legacy)
    if ('problem' in line) throw fail(line.problem)
    if (lineNo === 1) {
      legacy = line.legacy
      const h = line.value
      const format = legacy ? LEGACY_SNAPSHOT_FORMAT : SNAPSHOT_FORMAT
      if (!isObject(h) || h.format !== format || !Number.isSafeInteger(h.seq) || !Number.isSafeInteger(h.count)) {
        throw fail(`not a snapshot header of format ${format} (${buf.toString('utf8', offset, Math.min(nl, offset + 200))})`)
      }
      const ids = legacy ? 0 : h.transactionIds
      if (!Number.isSafeInteger(ids)) throw fail('the header has no count of transaction ids')
      header = {seq: h.seq as number, count: h.count as number, ids: ids as number}
    } else if (docs.length < header!.count) {
      const doc = line.value
      if (!isObject(doc) || typeof doc._id !== 'string' || typeof doc._type !== 'string') {
        throw fail(`not a document (${isObject(doc) ? 'no string _id and _type' : kindOf(doc)})`)
      }
      docs.push(doc as LakeDocument)
    } else {
      const ids = line.value
      if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) throw fail(`expected a list of transaction ids, found ${kindOf(ids)}`)
      transactionIds.push(...(ids as string[]))
      if (transactionIds.length > header!.ids) throw fail(`more transaction ids than the header's ${header!.ids}`)
    }
    offset = nl + 1
  }
  if (!header) throw fail('the file is empty', 0)
  if (docs.length !== header.count || transactionIds.length !== header.ids) {
    throw fail(`the header promises ${header.count} documents and ${header.ids} transaction ids, the file has ${docs.length} and ${transactionIds.length} (it was cut short)`)
  }
  return {seq: header.seq, docs, transactionIds, legacyLines: legacy ? lineNo : 0}
}

/** Reads snapshot + log, cutting a torn tail off the log file; refuses (throws) on corruption. */
export function recover(dir: string): Recovered {
  // A leftover temp snapshot is from a crash during compaction; the old snapshot and log are intact.
  fs.rmSync(path.join(dir, SNAPSHOT_TMP), {force: true})
  const snapshot = readSnapshot(path.join(dir, SNAPSHOT_FILE))
  const logPath = path.join(dir, LOG_FILE)
  const buf = fs.existsSync(logPath) ? fs.readFileSync(logPath) : Buffer.alloc(0)

  const records: TransactionRecord[] = []
  let seq = snapshot.seq
  let offset = 0
  let lineNo = 0
  let legacyLines = 0
  let checkedSeen = false
  while (offset < buf.length) {
    const nl = buf.indexOf(NEWLINE, offset)
    if (nl === -1) break // torn: the newline is written last, so no newline = never acknowledged
    lineNo++
    const line = parseLine(buf, offset, nl, !checkedSeen)
    if ('problem' in line) throw logCorruption(logPath, buf, lineNo, offset, nl, line.problem)
    if (line.legacy) legacyLines++
    else checkedSeen = true
    const problem = recordProblem(line.value)
    if (problem) throw logCorruption(logPath, buf, lineNo, offset, nl, problem)
    const record = line.value as TransactionRecord
    if (record.seq > snapshot.seq) {
      if (record.seq !== seq + 1) {
        throw logCorruption(logPath, buf, lineNo, offset, nl, `transaction ${record.seq} follows transaction ${seq} (a gap or a repeat in the sequence)`)
      }
      records.push(record)
      seq = record.seq
    }
    offset = nl + 1
  }

  const truncatedBytes = buf.length - offset
  if (truncatedBytes > 0) {
    fs.truncateSync(logPath, offset)
    const fd = fs.openSync(logPath, 'r+')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  }
  return {
    seq,
    snapshotDocs: snapshot.docs,
    snapshotTransactionIds: snapshot.transactionIds,
    records,
    truncatedBytes,
    logBytes: offset,
    legacyLines: legacyLines + snapshot.legacyLines,
  }
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Replaces the snapshot with `docs` (and the used transaction ids) as of `seq`, then empties the
 * log. A crash at any point leaves either the old snapshot + full log or the new snapshot + a log
 * whose records are all ≤ seq (skipped on replay).
 */
export function writeSnapshot(dir: string, seq: number, docs: readonly LakeDocument[], transactionIds: readonly string[]): void {
  const tmp = path.join(dir, SNAPSHOT_TMP)
  const fd = fs.openSync(tmp, 'w', 0o600)
  try {
    let chunk = frameLine(JSON.stringify({format: SNAPSHOT_FORMAT, seq, count: docs.length, transactionIds: transactionIds.length}))
    const flush = (force: boolean) => {
      if (!force && chunk.length < 1 << 20) return
      fs.writeSync(fd, chunk)
      chunk = ''
    }
    for (const doc of docs) {
      chunk += frameLine(JSON.stringify(doc))
      flush(false)
    }
    for (let i = 0; i < transactionIds.length; i += IDS_PER_LINE) {
      chunk += frameLine(JSON.stringify(transactionIds.slice(i, i + IDS_PER_LINE)))
      flush(false)
    }
    flush(true)
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
  fs.renameSync(tmp, path.join(dir, SNAPSHOT_FILE))
  fsyncDir(dir)
  const logPath = path.join(dir, LOG_FILE)
  if (fs.existsSync(logPath)) {
    const logFd = fs.openSync(logPath, 'r+')
    try {
      fs.ftruncateSync(logFd, 0)
      fs.fsyncSync(logFd)
    } finally {
      fs.closeSync(logFd)
    }
  }
}

/** The open, append-only transaction log. Appends are synchronous: written and fsynced on return. */
export class TransactionLog {
  private fd: number
  private size: number
  readonly file: string

  constructor(dir: string) {
    this.file = path.join(dir, LOG_FILE)
    const existed = fs.existsSync(this.file)
    this.fd = fs.openSync(this.file, 'a', 0o600)
    this.size = fs.fstatSync(this.fd).size
    if (!existed) fsyncDir(dir) // make the new file's directory entry durable too
  }

  append(record: TransactionRecord): void {
    const line = Buffer.from(frameLine(JSON.stringify(record)), 'utf8')
    try {
      let written = 0
      while (written < line.length) written += fs.writeSync(this.fd, line, written, line.length - written)
      fs.fdatasyncSync(this.fd)
      this.size += line.length
    } catch (err) {
      // Cut a partial line away so later appends do not follow garbage.
      try {
        fs.ftruncateSync(this.fd, this.size)
      } catch {
        /* the original error is the one to report */
      }
      throw err
    }
  }

  close(): void {
    fs.closeSync(this.fd)
  }
}
