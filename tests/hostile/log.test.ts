// Damaged lake files (issue 8, item 8 and the log/snapshot part of 13): a complete log line that
// fails its checksum or does not parse must stop start-up with the file, line, byte offset and
// what to do (it was once dropped as "torn", or accepted when still valid JSON), and nothing may
// be changed on disk; only a final line without its newline is cut. Corrupt snapshot lines and
// `null` log lines must give that message, not a raw JavaScript error.
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {compactionDone, lakeClient, lakeRequest, makeTempDir, refusedStart, removeTempDirs, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

const LOG = 'transactions.ndjson'
const SNAPSHOT = 'snapshot.ndjson'

async function expectAlive(lake: SpawnedLake): Promise<void> {
  const ping = await lakeRequest(lake, 'GET', '/v1/ping', {token: null})
  expect(ping.status).toBe(200)
}

async function exportText(lake: SpawnedLake): Promise<string> {
  const res = await lakeRequest(lake, 'GET', '/v1/data/export/production')
  expect(res.status).toBe(200)
  return res.text
}

/** Starts a lake on `dir` that must refuse; returns what it printed. */
async function refusal(dir: string, env: Record<string, string> = {}): Promise<string> {
  const outcome = await refusedStart(dir, env)
  // What the user sees is the lake's own sentence, not a JavaScript error.
  expect(outcome).not.toMatch(/SyntaxError|Cannot read propert|Unexpected token/)
  return outcome
}

/** The byte offset where line `n` (1-based) of `buf` starts. */
function lineStart(buf: Buffer, n: number): number {
  let offset = 0
  for (let i = 1; i < n; i++) offset = buf.indexOf(0x0a, offset) + 1
  return offset
}

function lineCount(buf: Buffer): number {
  return buf.toString('utf8').split('\n').length - 1
}

/** Lake directories: 5 transactions in the log; the same plus 2 more compacted into a snapshot. */
let logDir: string
let snapDir: string
let expectedLog: string

beforeAll(async () => {
  logDir = makeTempDir()
  const lake = await spawnLake({dir: logDir})
  const client = lakeClient(lake)
  for (let i = 1; i <= 5; i++) await client.createOrReplace({_id: `d${i}`, _type: 't', n: i, text: `نص ${i}`})
  expectedLog = await exportText(lake)
  await lake.stop()
  snapDir = makeTempDir()
  fs.cpSync(logDir, snapDir, {recursive: true})
  // A document created and deleted leaves two transaction ids that no document's _rev holds.
  const more = await spawnLake({dir: snapDir})
  await lakeClient(more).create({_id: 'gone', _type: 't'})
  await lakeClient(more).delete('gone')
  await more.stop()
  // Compact on start: the 7 transactions go into the snapshot.
  const compacting = await spawnLake({dir: snapDir, env: {LAKE_COMPACT_BYTES: '0'}})
  await compacting.stop()
  expect(fs.statSync(path.join(snapDir, LOG)).size).toBe(0)
})

function copyOf(dir: string): string {
  const copy = makeTempDir()
  fs.cpSync(dir, copy, {recursive: true})
  fs.rmSync(path.join(copy, 'lock'), {force: true})
  return copy
}

describe('log records carry checksums (item 8)', () => {
  it('refuses a corrupt last complete line instead of dropping an acknowledged transaction', async () => {
    const dir = copyOf(logDir)
    const file = path.join(dir, LOG)
    const buf = fs.readFileSync(file)
    const at = lineStart(buf, 5)
    // Break the JSON of the last record (newline kept): once read as a torn write and dropped.
    const damaged = Buffer.from(buf)
    damaged[buf.length - 2] = 0x23 // the closing "}" becomes "#"
    fs.writeFileSync(file, damaged)
    const message = await refusal(dir)
    expect(message).toContain(`transaction log ${file} is corrupt at line 5 (byte offset ${at})`)
    expect(message).toContain('not a torn write')
    expect(message).toContain(`truncate -s ${at} ${file}`)
    expect(message).toContain('losing that last transaction')
    expect(message).toContain('npm run lake -- import')
    expect(fs.readFileSync(file)).toEqual(damaged)
  })

  it('refuses a changed value that is still valid JSON, in a middle record', async () => {
    const dir = copyOf(logDir)
    const file = path.join(dir, LOG)
    const buf = fs.readFileSync(file)
    const at = lineStart(buf, 2)
    const damaged = Buffer.from(buf)
    const n = buf.indexOf('"n":2', at)
    expect(n).toBeGreaterThan(at)
    damaged[n + 4] = 0x37 // "n":2 → "n":7, still a valid record
    fs.writeFileSync(file, damaged)
    const message = await refusal(dir)
    expect(message).toContain(`is corrupt at line 2 (byte offset ${at}): checksum mismatch`)
    expect(message).toContain('losing that transaction and the 3 after it')
    expect(fs.readFileSync(file)).toEqual(damaged)
  })

  it('gives a clear message for a null line, and for a sequence gap', async () => {
    const nullDir = copyOf(logDir)
    const file = path.join(nullDir, LOG)
    const buf = fs.readFileSync(file)
    const at = lineStart(buf, 3)
    const withNull = Buffer.concat([buf.subarray(0, at), Buffer.from('null\n'), buf.subarray(at)])
    fs.writeFileSync(file, withNull)
    expect(await refusal(nullDir)).toContain(`is corrupt at line 3 (byte offset ${at})`)
    expect(fs.readFileSync(file)).toEqual(withNull)

    const gapDir = copyOf(logDir)
    const gapFile = path.join(gapDir, LOG)
    const lines = fs.readFileSync(gapFile, 'utf8').split('\n')
    const withoutThird = [...lines.slice(0, 2), ...lines.slice(3)].join('\n')
    fs.writeFileSync(gapFile, withoutThird)
    const gap = await refusal(gapDir)
    expect(gap).toContain(`is corrupt at line 3 (byte offset ${lineStart(Buffer.from(withoutThird), 3)}): transaction 4 follows transaction 2`)
    expect(fs.readFileSync(gapFile, 'utf8')).toBe(withoutThird)
  })

  it('still cuts a torn tail (a last line without its newline), and starts', async () => {
    const dir = copyOf(logDir)
    const file = path.join(dir, LOG)
    const intact = fs.readFileSync(file)
    const line5 = intact.subarray(lineStart(intact, 5))
    fs.appendFileSync(file, line5.subarray(0, line5.length - 1).toString().replace('"seq":5', '"seq":6'))
    const lake = await spawnLake({dir})
    try {
      expect(await exportText(lake)).toBe(expectedLog)
      expect(fs.readFileSync(file)).toEqual(intact)
      expect(lake.stderr()).toContain('torn')
      await expectAlive(lake)
    } finally {
      await lake.stop()
    }
  })

  it('loads a lake written before checksums and rewrites it with them', async () => {
    const dir = makeTempDir()
    // The format lakes wrote before this change: a v1 snapshot and log lines without checksums.
    const doc = (id: string, n: number) => ({_id: id, _type: 't', _rev: `rev-${id}`, _createdAt: '2025-01-01T00:00:00.000Z', _updatedAt: '2025-01-01T00:00:00.000Z', n})
    fs.writeFileSync(
      path.join(dir, SNAPSHOT),
      [JSON.stringify({format: 'sanity-newsroom-lake-snapshot/1', seq: 2, count: 1}), JSON.stringify(doc('old', 1))].join('\n') + '\n',
    )
    const record = (seq: number, id: string) => JSON.stringify({seq, transactionId: `rev-${id}`, timestamp: '2025-01-01T00:00:00.000Z', identity: 'x', effects: [{id, doc: doc(id, seq)}]})
    fs.writeFileSync(path.join(dir, LOG), [record(2, 'skipped'), record(3, 'logged')].join('\n') + '\n')
    const lake = await spawnLake({dir})
    try {
      expect(await lakeClient(lake).fetch('*._id')).toEqual(['logged', 'old'])
      expect(await compactionDone(lake)).toContain('without checksums')
      const snapshot = fs.readFileSync(path.join(dir, SNAPSHOT), 'utf8')
      expect(snapshot).toMatch(/^[0-9a-f]{8} \{"format":"sanity-newsroom-lake-snapshot\/3","seq":3,"count":2,/)
      expect(fs.statSync(path.join(dir, LOG)).size).toBe(0)
      // The old revisions stay taken.
      const reused = await lakeRequest(lake, 'POST', '/v2025-02-19/data/mutate/production?transactionId=rev-old', {body: {mutations: [{create: {_id: 'new', _type: 't'}}]}})
      expect(reused.status).toBe(409)
    } finally {
      await lake.stop()
    }
  })

  it('refuses a line without a checksum after checksummed lines', async () => {
    const dir = copyOf(logDir)
    const file = path.join(dir, LOG)
    const buf = fs.readFileSync(file)
    const at = lineStart(buf, 4)
    const stripped = Buffer.concat([buf.subarray(0, at), buf.subarray(at + 9)]) // drop "xxxxxxxx "
    fs.writeFileSync(file, stripped)
    expect(await refusal(dir)).toContain(`is corrupt at line 4 (byte offset ${at}): a line without a checksum among checksummed lines`)
  })
})

describe('snapshot damage gives a clear message (item 13)', () => {
  it('refuses a corrupt document line and a corrupt header, naming file and line, changing nothing', async () => {
    const dir = copyOf(snapDir)
    const file = path.join(dir, SNAPSHOT)
    const buf = fs.readFileSync(file)
    expect(lineCount(buf)).toBe(1 + 5 + 1) // header, 5 documents, 1 line of transaction ids (2)
    const at = lineStart(buf, 3)
    const damaged = Buffer.from(buf)
    damaged[buf.indexOf('{', at)] = 0x7d // "}": not JSON any more
    fs.writeFileSync(file, damaged)
    const message = await refusal(dir)
    expect(message).toContain(`snapshot ${file} is corrupt at line 3 (byte offset ${at}): checksum mismatch`)
    expect(message).toContain('npm run lake -- import')
    expect(fs.readFileSync(file)).toEqual(damaged)

    const headerDir = copyOf(snapDir)
    const headerFile = path.join(headerDir, SNAPSHOT)
    const text = fs.readFileSync(headerFile, 'utf8')
    fs.writeFileSync(headerFile, 'garbage\n' + text.slice(text.indexOf('\n') + 1))
    expect(await refusal(headerDir)).toContain(`snapshot ${headerFile} is corrupt at line 1, its header (byte offset 0)`)
  })

  it('gives the same kind of message for a bad line in a snapshot written before checksums', async () => {
    const dir = makeTempDir()
    const file = path.join(dir, SNAPSHOT)
    // HEAD's JSON.parse error escaped raw ("Unexpected token …").
    fs.writeFileSync(file, JSON.stringify({format: 'sanity-newsroom-lake-snapshot/1', seq: 1, count: 2}) + '\n{"_id":"a","_type":"t"}\n{"_id":\n')
    const message = await refusal(dir)
    expect(message).toContain(`snapshot ${file} is corrupt at line 3`)
    expect(message).toContain('not valid JSON')
  })

  it('refuses a snapshot cut short', async () => {
    const dir = copyOf(snapDir)
    const file = path.join(dir, SNAPSHOT)
    const buf = fs.readFileSync(file)
    fs.writeFileSync(file, buf.subarray(0, lineStart(buf, 4)))
    expect(await refusal(dir)).toContain('the header promises 5 documents and 2 transaction ids, the file has 2 and 0 (it was cut short)')
  })
})
