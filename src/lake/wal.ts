import fs from 'node:fs'
import path from 'node:path'
import type {Effect, LakeDocument} from './store'

/**
 * Durability: one append-only log line per whole transaction (the resulting documents,
 * not the mutations, so replay needs no patch engine and cannot diverge), fsynced
 * before the transaction is acknowledged. A torn last line is an unacknowledged
 * transaction and is cut away on recovery. A snapshot (written to a temp file,
 * fsynced, renamed) lets the log be emptied on start.
 */

export const LOG_FILE = 'transactions.ndjson'
export const SNAPSHOT_FILE = 'snapshot.ndjson'
const SNAPSHOT_TMP = 'snapshot.ndjson.tmp'
const SNAPSHOT_FORMAT = 'sanity-newsroom-lake-snapshot/1'

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
  records: TransactionRecord[]
  /** Bytes of a torn tail that were cut off the log. */
  truncatedBytes: number
  logBytes: number
}

function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, 'r')
  try {
    fs.fsyncSync(fd)
  } finally {
    fs.closeSync(fd)
  }
}

function readSnapshot(file: string): {seq: number; docs: LakeDocument[]} {
  if (!fs.existsSync(file)) return {seq: 0, docs: []}
  const lines = fs.readFileSync(file, 'utf8').split('\n')
  if (lines.at(-1) === '') lines.pop()
  let header: {format?: string; seq?: number; count?: number}
  try {
    header = JSON.parse(lines[0] ?? '')
  } catch {
    throw new Error(`Snapshot ${file} has no valid header line; it is corrupt. Move it away to start from the log alone.`)
  }
  if (header.format !== SNAPSHOT_FORMAT || typeof header.seq !== 'number' || header.count !== lines.length - 1) {
    throw new Error(`Snapshot ${file} is incomplete or of an unknown format (header ${lines[0]}); it is corrupt.`)
  }
  return {seq: header.seq, docs: lines.slice(1).map((line) => JSON.parse(line) as LakeDocument)}
}

/** Reads snapshot + log, cutting a torn tail off the log file. */
export function recover(dir: string): Recovered {
  // A leftover temp snapshot is from a crash during compaction; the old snapshot and log are intact.
  fs.rmSync(path.join(dir, SNAPSHOT_TMP), {force: true})
  const snapshot = readSnapshot(path.join(dir, SNAPSHOT_FILE))
  const logPath = path.join(dir, LOG_FILE)
  const buf = fs.existsSync(logPath) ? fs.readFileSync(logPath) : Buffer.alloc(0)

  const records: TransactionRecord[] = []
  let seq = snapshot.seq
  let offset = 0
  let validEnd = 0
  let lineNo = 0
  while (offset < buf.length) {
    const nl = buf.indexOf(0x0a, offset)
    if (nl === -1) break // torn: the newline is written last, so no newline = never acknowledged
    lineNo++
    let record: TransactionRecord
    try {
      record = JSON.parse(buf.toString('utf8', offset, nl)) as TransactionRecord
    } catch {
      if (buf.indexOf(0x0a, nl + 1) === -1) break // unparsable last complete line: torn too
      throw new Error(
        `Transaction log ${logPath} is corrupt at line ${lineNo} (not the last line, so this is not a torn write). ` +
          `Keep a copy, then truncate the file before that line to start.`,
      )
    }
    if (record.seq > snapshot.seq) {
      if (record.seq !== seq + 1) {
        throw new Error(`Transaction log ${logPath} skips from transaction ${seq} to ${record.seq} at line ${lineNo}; it is corrupt.`)
      }
      records.push(record)
      seq = record.seq
    }
    offset = nl + 1
    validEnd = offset
  }

  const truncatedBytes = buf.length - validEnd
  if (truncatedBytes > 0) {
    fs.truncateSync(logPath, validEnd)
    const fd = fs.openSync(logPath, 'r+')
    try {
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
  }
  return {seq, snapshotDocs: snapshot.docs, records, truncatedBytes, logBytes: validEnd}
}

/**
 * Replaces the snapshot with `docs` as of `seq`, then empties the log. A crash at any
 * point leaves either the old snapshot + full log or the new snapshot + a log whose
 * records are all ≤ seq (skipped on replay).
 */
export function writeSnapshot(dir: string, seq: number, docs: readonly LakeDocument[]): void {
  const tmp = path.join(dir, SNAPSHOT_TMP)
  const fd = fs.openSync(tmp, 'w', 0o600)
  try {
    const header = JSON.stringify({format: SNAPSHOT_FORMAT, seq, count: docs.length})
    let chunk = header + '\n'
    for (const doc of docs) {
      chunk += JSON.stringify(doc) + '\n'
      if (chunk.length > 1 << 20) {
        fs.writeSync(fd, chunk)
        chunk = ''
      }
    }
    fs.writeSync(fd, chunk)
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
    const line = Buffer.from(JSON.stringify(record) + '\n', 'utf8')
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
