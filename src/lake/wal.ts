import fs from 'node:fs'
import path from 'node:path'
import {crc32} from 'node:zlib'
import {readHead, splitDocument} from './deferred'
import {collectRefs} from './refs'
import type {Effect, LakeDocument, SplitDocument} from './store'

/**
 * Durability: one append-only log line per whole transaction (the resulting documents,
 * not the mutations, so replay needs no patch engine and cannot diverge), fsynced
 * before the transaction is acknowledged. Group commit: lines appended while an fdatasync runs
 * wait in memory and go to disk together, covered by the next one fdatasync; the log is written
 * in order, so a crash loses a suffix of unacknowledged lines only. A snapshot (written to a
 * temp file, fsynced, renamed) lets the log be emptied on start.
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
 *
 * Both files are read in chunks, a line at a time, and each document goes to the caller as soon
 * as it is parsed: start-up never holds a file's bytes and its documents at once (a snapshot of a
 * million documents is larger than the longest string V8 can make).
 */

export const LOG_FILE = 'transactions.ndjson'
export const SNAPSHOT_FILE = 'snapshot.ndjson'
const SNAPSHOT_TMP = 'snapshot.ndjson.tmp'
/** /3: document lines may be split for deferred parsing (deferred.ts); /2 lines are all whole documents. */
const SNAPSHOT_FORMAT = 'sanity-newsroom-lake-snapshot/3'
const WHOLE_SNAPSHOT_FORMAT = 'sanity-newsroom-lake-snapshot/2'
const LEGACY_SNAPSHOT_FORMAT = 'sanity-newsroom-lake-snapshot/1'
/** Transaction ids per snapshot line. */
const IDS_PER_LINE = 1000
/** `xxxxxxxx ` before the JSON. */
export const SUM_PREFIX = 9
const NEWLINE = 0x0a

export interface TransactionRecord {
  seq: number
  transactionId: string
  timestamp: string
  identity: string
  effects: Effect[]
}

/** Where recovery hands what it reads, in file order. */
export interface RecoverySink {
  snapshotDoc(doc: LakeDocument): void
  /** A snapshot document kept as its bytes until first read (deferred.ts). */
  snapshotDeferred(split: SplitDocument): void
  /** Transaction ids the snapshot keeps (ids that are no document's `_rev`). */
  snapshotTransactionIds(ids: string[]): void
  /** `at`: where the record's line is in the log (history.ts reads revisions from it). */
  record(record: TransactionRecord, at: LineAt): void
}

/** A line's byte offset and length (newline included) in its file. */
export interface LineAt {
  offset: number
  length: number
}

export interface Recovered {
  /** Sequence number of the last transaction in the recovered state. */
  seq: number
  snapshotDocs: number
  /** Log records replayed (those after the snapshot's seq). */
  records: number
  /** Bytes of a torn tail that were cut off the log. */
  truncatedBytes: number
  logBytes: number
  /** Lines (snapshot or log) in the format without checksums; rewrite them by compacting. */
  legacyLines: number
}

export function checksum(data: string | Uint8Array): string {
  return crc32(data).toString(16).padStart(8, '0')
}

/**
 * One line of the log or snapshot, `<checksum> <JSON>\n`, as bytes: the JSON given in parts (strings,
 * or bytes already encoded), written once and summed as bytes. Parts save joining strings first: a
 * joined string is flattened (copied) before it is encoded.
 */
export function frameBytes(...parts: Array<string | Buffer>): Buffer {
  // Encoded into room for the worst case (3 bytes per UTF-16 unit) and copied out: a copy costs far
  // less than the extra pass Buffer.byteLength makes over Arabic text (a 1,000-document batch: 4 -> 2 ms).
  // Short strings are measured (then the line needs no copy); long ones get the worst case.
  const scratch = Buffer.allocUnsafe(roomFor(parts))
  const end = frameInto(scratch, 0, parts)
  return end === scratch.length ? scratch : Buffer.from(scratch.subarray(0, end))
}

/** Frames a line of `parts` into `buf` from `from` (room: roomFor); returns where the line ends. */
function frameInto(buf: Buffer, from: number, parts: ReadonlyArray<string | Buffer>): number {
  let at = from + SUM_PREFIX
  for (const part of parts) at += typeof part === 'string' ? buf.write(part, at, 'utf8') : part.copy(buf, at)
  buf.write(checksum(buf.subarray(from + SUM_PREFIX, at)), from, 'latin1')
  buf[from + SUM_PREFIX - 1] = 0x20
  buf[at] = NEWLINE
  return at + 1
}

/**
 * The JSON of a log line, in parts (see frameBytes): the record's head (effects as `[id, 1]` for a
 * written document, `[id, 0]` for a deleted one), then each written document split as deferred.ts
 * writes it, tab-separated, so that replay reads heads only. Lines of format 1 (the record as one
 * JSON) are still read.
 */
export function recordContent(record: TransactionRecord): string[] {
  const {seq, transactionId, timestamp, identity, effects} = record
  const parts = [JSON.stringify({seq, transactionId, timestamp, identity, format: LOG_FORMAT, effects: effects.map((e) => [e.id, e.doc ? 1 : 0])})]
  for (const effect of effects) {
    if (!effect.doc) continue
    // Kept on the effect: the store indexes the document by them when it applies it.
    effect.refs ??= collectRefs(effect.doc)
    parts.push('\t', ...splitDocument(effect.doc, effect.refs))
  }
  return parts
}

const LOG_FORMAT = 2
const TAB = 0x09

/**
 * Reads the log record whose JSON is buf[start, end): a format-1 record whole, a format-2 one with its
 * written documents as shells with `split` set (their rest is parsed on first read). Throws with what is wrong.
 */
export function decodeRecord(buf: Buffer, start: number, end: number): TransactionRecord {
  let tab = buf.indexOf(TAB, start)
  if (tab === -1 || tab > end) tab = end
  const head: unknown = JSON.parse(buf.toString('utf8', start, tab))
  if (!isObject(head) || head.format !== LOG_FORMAT) {
    if (tab !== end) throw new Error('a line with tabs that is not a record of format 2')
    const problem = recordProblem(head)
    if (problem) throw new Error(problem)
    return head as unknown as TransactionRecord
  }
  if (!Number.isSafeInteger(head.seq) || (head.seq as number) < 1) throw new Error('a record without a valid "seq"')
  if (typeof head.transactionId !== 'string') throw new Error('a record without a "transactionId"')
  if (!Array.isArray(head.effects)) throw new Error('a record without "effects"')
  const effects: Effect[] = []
  let at = tab
  for (const entry of head.effects as unknown[]) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || (entry[1] !== 0 && entry[1] !== 1)) throw new Error('a record with a malformed effect')
    const id = entry[0] as string
    if (entry[1] === 0) {
      effects.push({id, doc: null})
      continue
    }
    if (at >= end) throw new Error(`a record that lacks the document for "${id}"`)
    const from = at + 1
    const split = readHead(buf, from, end)
    let to = buf.indexOf(TAB, split ? split.bodyAt : from)
    if (to === -1 || to > end) to = end
    if (split) {
      if (split.head.shell._id !== id) throw new Error(`a record with a malformed document for "${id}"`)
      effects.push({id, doc: split.head.shell, split: {doc: split.head.shell, head: split.head, buf, start: from, bodyAt: split.bodyAt, end: to}})
    } else {
      const doc: unknown = JSON.parse(buf.toString('utf8', from, to))
      if (!(isObject(doc) && doc._id === id)) throw new Error(`a record with a malformed document for "${id}"`)
      effects.push({id, doc: doc as LakeDocument})
    }
    at = to
  }
  if (at !== end) throw new Error('a record with more documents than effects')
  return {seq: head.seq as number, transactionId: head.transactionId, timestamp: head.timestamp as string, identity: head.identity as string, effects}
}

function isHexDigit(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x61 && byte <= 0x66)
}

type Line = {value: unknown; legacy: boolean} | {problem: string}

function hasChecksum(buf: Buffer, start: number, end: number): boolean {
  let checked = end - start > SUM_PREFIX && buf[start + SUM_PREFIX - 1] === 0x20
  for (let i = start; checked && i < start + SUM_PREFIX - 1; i++) checked = isHexDigit(buf[i])
  return checked
}

/** Why the checksummed line buf[start, end) fails its checksum, or null when it holds. */
function checksumProblem(buf: Buffer, start: number, end: number): string | null {
  if (!hasChecksum(buf, start, end)) return 'a line without a checksum among checksummed lines'
  const stated = buf.toString('latin1', start, start + SUM_PREFIX - 1)
  const actual = checksum(buf.subarray(start + SUM_PREFIX, end))
  return stated === actual ? null : `checksum mismatch (the line says ${stated}, its content gives ${actual})`
}

/** Checks and parses the line buf[start, end) (without its newline). */
function parseLine(buf: Buffer, start: number, end: number, allowLegacy: boolean): Line {
  if (hasChecksum(buf, start, end)) {
    const problem = checksumProblem(buf, start, end)
    if (problem) return {problem}
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

/** Bytes read at a time; a longer line grows the buffer. */
const CHUNK_BYTES = 1 << 20

/**
 * Calls `fn` for each newline-terminated line of the open file, reading it in chunks from the
 * start. `buf[start, end)` is the line without its newline, `offset` its byte offset in the file.
 * Returns the offset after the last newline (a tail without one is left to the caller) and the size.
 */
export function forEachLine(
  fd: number,
  fn: (buf: Buffer, start: number, end: number, offset: number) => void,
  /** Never reuse a buffer: the lines handed to `fn` stay valid (deferred documents keep them). */
  keep = false,
): {complete: number; size: number} {
  let buf = Buffer.allocUnsafe(CHUNK_BYTES)
  let filled = 0 // bytes of buf holding file data
  let base = 0 // file offset of buf[0]
  for (;;) {
    if (filled === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2)
      buf.copy(bigger, 0, 0, filled)
      buf = bigger
    }
    const read = fs.readSync(fd, buf, filled, buf.length - filled, base + filled)
    if (read === 0) return {complete: base, size: base + filled}
    const scanFrom = filled
    filled += read
    let start = 0
    for (let nl = buf.indexOf(NEWLINE, scanFrom); nl !== -1 && nl < filled; nl = buf.indexOf(NEWLINE, nl + 1)) {
      fn(buf, start, nl, base + start)
      start = nl + 1
    }
    if (start > 0) {
      if (keep) {
        const next = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, (filled - start) * 2))
        buf.copy(next, 0, start, filled)
        buf = next
      } else buf.copy(buf, 0, start, filled)
      filled -= start
      base += start
    }
  }
}

/** The newline-terminated lines of the file after byte `from`. */
function countLinesAfter(file: string, from: number): number {
  let n = 0
  const fd = fs.openSync(file, 'r')
  try {
    const buf = Buffer.allocUnsafe(CHUNK_BYTES)
    for (let at = from; ; ) {
      const read = fs.readSync(fd, buf, 0, buf.length, at)
      if (read === 0) return n
      for (let i = buf.indexOf(NEWLINE); i !== -1 && i < read; i = buf.indexOf(NEWLINE, i + 1)) n++
      at += read
    }
  } finally {
    fs.closeSync(fd)
  }
}

function logCorruption(file: string, lineNo: number, offset: number, lineEnd: number, problem: string): Error {
  const later = countLinesAfter(file, lineEnd + 1)
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
  docs: number
  legacyLines: number
}

/** Reads and checks every line of the snapshot; any fault is corruption (it is written whole, then renamed). */
function readSnapshot(file: string, sink: RecoverySink): Snapshot {
  if (!fs.existsSync(file)) return {seq: 0, docs: 0, legacyLines: 0}
  let lineNo = 0
  let legacy = false
  let split = false
  let header: {seq: number; count: number; ids: number} | undefined
  let docs = 0
  let ids = 0
  let at = 0
  const fail = (problem: string, offset = at) => snapshotCorruption(file, Math.max(lineNo, 1), offset, problem, legacy)
  const fd = fs.openSync(file, 'r')
  let read: {complete: number; size: number}
  try {
    read = forEachLine(
      fd,
      (buf, start, end, offset) => {
      lineNo++
      at = offset
      if (split && header && docs < header.count && end - start > SUM_PREFIX && buf[start + SUM_PREFIX] === 0x5b /* [ */) {
        // Heads only: the rest of a split document is parsed on first read (its checksum is checked now).
        // A document written whole goes on to parseLine below, which checks its checksum.
        const problem = checksumProblem(buf, start, end)
        if (problem) throw fail(problem)
        let deferred: ReturnType<typeof readHead>
        try {
          deferred = readHead(buf, start + SUM_PREFIX, end)
        } catch (err) {
          throw fail(`the checksum matches but it is ${(err as Error).message}`)
        }
        docs++
        // The line starts with `[`: readHead gave a head or threw.
        sink.snapshotDeferred({doc: deferred!.head.shell, head: deferred!.head, buf, start: start + SUM_PREFIX, bodyAt: deferred!.bodyAt, end})
        return
      }
      const line = parseLine(buf, start, end, lineNo === 1 || legacy)
      if ('problem' in line) throw fail(line.problem)
      if (lineNo === 1) {
        legacy = line.legacy
        const h = line.value
        const formats = legacy ? [LEGACY_SNAPSHOT_FORMAT] : [SNAPSHOT_FORMAT, WHOLE_SNAPSHOT_FORMAT]
        if (!isObject(h) || !formats.includes(h.format as string) || !Number.isSafeInteger(h.seq) || !Number.isSafeInteger(h.count)) {
          throw fail(`not a snapshot header of format ${formats.join(' or ')} (${buf.toString('utf8', start, Math.min(end, start + 200))})`)
        }
        split = h.format === SNAPSHOT_FORMAT
        const idCount = legacy ? 0 : h.transactionIds
        if (!Number.isSafeInteger(idCount)) throw fail('the header has no count of transaction ids')
        header = {seq: h.seq as number, count: h.count as number, ids: idCount as number}
      } else if (docs < header!.count) {
        const doc = line.value
        if (!isObject(doc) || typeof doc._id !== 'string' || typeof doc._type !== 'string') {
          throw fail(`not a document (${isObject(doc) ? 'no string _id and _type' : kindOf(doc)})`)
        }
        docs++
        sink.snapshotDoc(doc as LakeDocument)
      } else {
        const list = line.value
        if (!Array.isArray(list) || !list.every((id) => typeof id === 'string')) throw fail(`expected a list of transaction ids, found ${kindOf(list)}`)
        ids += list.length
        if (ids > header!.ids) throw fail(`more transaction ids than the header's ${header!.ids}`)
        sink.snapshotTransactionIds(list as string[])
      }
      },
      true,
    )
  } finally {
    fs.closeSync(fd)
  }
  at = read.complete
  if (read.complete < read.size) {
    lineNo++
    throw fail('the last line has no newline (the file was cut short)')
  }
  if (!header) throw fail('the file is empty', 0)
  if (docs !== header.count || ids !== header.ids) {
    throw fail(`the header promises ${header.count} documents and ${header.ids} transaction ids, the file has ${docs} and ${ids} (it was cut short)`)
  }
  return {seq: header.seq, docs, legacyLines: legacy ? lineNo : 0}
}

/**
 * Reads snapshot + log into `sink`, cutting a torn tail off the log file; refuses (throws) on
 * corruption. Documents reach the sink as they are read; on a throw the caller discards them.
 */
export function recover(dir: string, sink: RecoverySink): Recovered {
  // A leftover temp snapshot is from a crash during compaction; the old snapshot and log are intact.
  fs.rmSync(path.join(dir, SNAPSHOT_TMP), {force: true})
  const snapshot = readSnapshot(path.join(dir, SNAPSHOT_FILE), sink)
  const logPath = path.join(dir, LOG_FILE)

  let records = 0
  let seq = snapshot.seq
  let lineNo = 0
  let legacyLines = 0
  let checkedSeen = false
  let read = {complete: 0, size: 0}
  if (fs.existsSync(logPath)) {
    const fd = fs.openSync(logPath, 'r')
    try {
      read = forEachLine(fd, (buf, start, end, offset) => {
        lineNo++
        const corrupt = (problem: string) => logCorruption(logPath, lineNo, offset, offset + (end - start), problem)
        let record: TransactionRecord
        if (hasChecksum(buf, start, end)) {
          const problem = checksumProblem(buf, start, end)
          if (problem) throw corrupt(problem)
          checkedSeen = true
          try {
            record = decodeRecord(buf, start + SUM_PREFIX, end)
          } catch (err) {
            throw corrupt(`the checksum matches but the record does not read (${(err as Error).message})`)
          }
        } else {
          const line = parseLine(buf, start, end, !checkedSeen)
          if ('problem' in line) throw corrupt(line.problem)
          legacyLines++
          const problem = recordProblem(line.value)
          if (problem) throw corrupt(problem)
          record = line.value as TransactionRecord
        }
        if (record.seq > snapshot.seq) {
          if (record.seq !== seq + 1) {
            throw logCorruption(logPath, lineNo, offset, offset + (end - start), `transaction ${record.seq} follows transaction ${seq} (a gap or a repeat in the sequence)`)
          }
          sink.record(record, {offset, length: end - start + 1})
          records++
          seq = record.seq
        }
      }, true)
    } finally {
      fs.closeSync(fd)
    }
  }

  // torn: the newline is written last, so a tail without one was never acknowledged
  const truncatedBytes = read.size - read.complete
  if (truncatedBytes > 0) {
    fs.truncateSync(logPath, read.complete)
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
    records,
    truncatedBytes,
    logBytes: read.complete,
    legacyLines: legacyLines + snapshot.legacyLines,
  }
}

export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

const WRITER_CHUNK = 1 << 20

/** Room a line of these parts needs at most (see frameBytes). */
function roomFor(parts: ReadonlyArray<string | Buffer>): number {
  let room = SUM_PREFIX + 1
  for (const part of parts) room += typeof part === 'string' ? (part.length < 512 ? Buffer.byteLength(part) : part.length * 3) : part.length
  return room
}

/**
 * Appends lines to `fd` from byte `start`, framed straight into a buffer of about a megabyte that
 * is written whenever it fills, so a large snapshot or history file is never held in memory whole
 * and no line gets a buffer of its own. flush() writes what is pending; fsyncing is the caller's.
 */
export function lineWriter(fd: number, start: number): {add(...parts: Array<string | Buffer>): LineAt; addFramed(line: Buffer): LineAt; flush(): void; readonly end: number} {
  const chunk = Buffer.allocUnsafe(WRITER_CHUNK)
  let used = 0
  let end = start
  const write = (data: Buffer) => {
    let written = 0
    while (written < data.length) written += fs.writeSync(fd, data, written, data.length - written)
  }
  const flush = () => {
    write(chunk.subarray(0, used))
    used = 0
  }
  const addFramed = (line: Buffer): LineAt => {
    const at = {offset: end, length: line.length}
    if (used + line.length > chunk.length) flush()
    if (line.length > chunk.length) write(line)
    else used += line.copy(chunk, used)
    end += line.length
    return at
  }
  return {
    add(...parts) {
      const room = roomFor(parts)
      if (room > chunk.length) return addFramed(frameBytes(...parts))
      if (used + room > chunk.length) flush()
      const from = used
      used = frameInto(chunk, from, parts)
      const line = {offset: end, length: used - from}
      end += line.length
      return line
    },
    addFramed,
    flush,
    get end() {
      return end
    },
  }
}

/**
 * Replaces the snapshot with `docs` (each document line's JSON in parts, in `_id` order) and the used transaction ids as of `seq`, then empties the
 * log. A crash at any point leaves either the old snapshot + full log or the new snapshot + a log
 * whose records are all ≤ seq (skipped on replay).
 */
export async function writeSnapshot(dir: string, seq: number, docs: {count: number; lines: Iterable<Array<string | Buffer>>}, transactionIds: readonly string[]): Promise<void> {
  const tmp = path.join(dir, SNAPSHOT_TMP)
  const fd = fs.openSync(tmp, 'w', 0o600)
  try {
    // Lines are written in chunks of about a megabyte: never the whole snapshot in memory.
    const writer = lineWriter(fd, 0)
    const add = (json: string) => writer.add(json)
    add(JSON.stringify({format: SNAPSHOT_FORMAT, seq, count: docs.count, transactionIds: transactionIds.length}))
    let written = 0
    const pause = pauser()
    for (const parts of docs.lines) {
      writer.add(...parts)
      written++
      if ((written & 255) === 0) await pause()
    }
    if (written !== docs.count) throw new Error(`snapshot: ${written} document lines for a header of ${docs.count}; the old snapshot is kept`)
    for (let i = 0; i < transactionIds.length; i += IDS_PER_LINE) add(JSON.stringify(transactionIds.slice(i, i + IDS_PER_LINE)))
    writer.flush()
    await fsyncAsync(fd)
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
      await fsyncAsync(logFd)
    } finally {
      fs.closeSync(logFd)
    }
  }
}

/** fsync on libuv's thread pool: the lake keeps serving meanwhile. */
export function fsyncAsync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())))
}

/**
 * For work done in the background (compaction): a function to await now and then, which lets other
 * requests in once a slice of about SLICE_MS has passed since it last did.
 */
export function pauser(sliceMs = 8): () => Promise<void> {
  let since = performance.now()
  return async () => {
    if (performance.now() - since < sliceMs) return
    await new Promise((resolve) => setImmediate(resolve))
    since = performance.now()
  }
}

/** What the log tells its owner about the records appended to it, in order. */
export interface LogEvents {
  /** Every record up to `seq` is on disk (fdatasync returned). */
  durable(seq: number): void
  /**
   * Writing or syncing failed: every record not yet durable is lost to the log (it was cut back to
   * its durable end) and the log refuses appends from now on. `repaired` is false when even the cut
   * failed, so those records may reappear after a restart, as after a crash.
   */
  failed(err: Error, repaired: boolean): void
}

/**
 * The open, append-only transaction log, with group commit: append() only queues the line;
 * the queue is written and fdatasynced as soon as no fdatasync is running (so one writer alone
 * waits one fsync, as before), and whatever was appended during an fdatasync goes out with the
 * next one. The fdatasync runs on libuv's thread pool, so the lake keeps serving meanwhile.
 */
export class TransactionLog {
  private fd: number
  /** Bytes known to be on disk. */
  private durableSize: number
  /** Bytes written or queued: where the next appended line goes. */
  private endSize: number
  private queued: Buffer[] = []
  private queuedSeq = 0
  private scheduled = false
  private syncing = false
  private broken: Error | null = null
  private closed = false
  private idle: Array<() => void> = []
  readonly file: string

  constructor(
    dir: string,
    private readonly events: LogEvents,
  ) {
    this.file = path.join(dir, LOG_FILE)
    const existed = fs.existsSync(this.file)
    this.fd = fs.openSync(this.file, 'a', 0o600)
    this.durableSize = this.endSize = fs.fstatSync(this.fd).size
    if (!existed) fsyncDir(dir) // make the new file's directory entry durable too
  }

  /** Compaction emptied the file (nothing may be queued or syncing then: it runs while writes wait). */
  emptied(): void {
    if (this.queued.length > 0 || this.syncing || this.endSize !== this.durableSize) {
      throw new Error(`the transaction log ${this.file} was emptied while a write was pending`)
    }
    this.durableSize = this.endSize = 0
  }

  /** Why the log refuses appends, if it does. */
  get failure(): Error | null {
    return this.broken
  }

  /**
   * Queues `record`; events.durable(record.seq) follows once it is on disk. Throws if the log has
   * failed. Returns where its line will be (valid once durable).
   */
  append(record: TransactionRecord): LineAt {
    if (this.broken) throw this.broken
    if (this.closed) throw new Error(`the transaction log ${this.file} is closed`)
    const line = frameBytes(...recordContent(record))
    const at = {offset: this.endSize, length: line.length}
    this.endSize += line.length
    this.queued.push(line)
    this.queuedSeq = record.seq
    if (!this.syncing && !this.scheduled) {
      // After this turn's other requests have queued theirs: they share the fsync.
      this.scheduled = true
      setImmediate(() => {
        this.scheduled = false
        this.flush()
      })
    }
    return at
  }

  private flush(): void {
    if (this.syncing || this.broken || this.queued.length === 0) return this.settleIdle()
    const batch = this.queued.length === 1 ? this.queued[0]! : Buffer.concat(this.queued)
    const upTo = this.queuedSeq
    this.queued = []
    try {
      let written = 0
      while (written < batch.length) written += fs.writeSync(this.fd, batch, written, batch.length - written)
    } catch (err) {
      return this.fail(err as Error)
    }
    this.syncing = true
    fs.fdatasync(this.fd, (err) => {
      this.syncing = false
      if (err) return this.fail(err)
      this.durableSize += batch.length
      this.events.durable(upTo)
      this.flush()
    })
  }

  private fail(err: Error): void {
    this.queued = []
    let repaired = true
    try {
      // Cut what is not known to be on disk, so that a restart does not replay transactions
      // that were answered with an error.
      fs.ftruncateSync(this.fd, this.durableSize)
      fs.fdatasyncSync(this.fd)
    } catch {
      repaired = false
    }
    this.broken = new Error(
      `the transaction log ${this.file} could not be written to disk (${err.message}); the lake refuses writes until it is restarted` +
        (repaired ? '' : ' (and the log could not be cut back to its last synced transaction, so unsynced transactions may reappear on restart)'),
    )
    this.events.failed(err, repaired)
    this.settleIdle()
  }

  private settleIdle(): void {
    if (this.syncing || this.scheduled || (this.queued.length > 0 && !this.broken)) return
    for (const resolve of this.idle.splice(0)) resolve()
  }

  /** Waits until everything appended is on disk (or has failed), then closes the file. */
  async close(): Promise<void> {
    if (this.closed) return
    await new Promise<void>((resolve) => {
      this.idle.push(resolve)
      this.settleIdle()
    })
    if (this.closed) return
    this.closed = true
    fs.closeSync(this.fd)
  }
}
