// Damaged records (npm run test:crash): a byte flipped anywhere in a middle log record, in the
// last complete one, or in any snapshot line must stop start-up with the file, line and byte
// offset, leaving every file as it was; a torn tail (no newline) of any length is still cut.
import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, lakeRequest, makeTempDir, refusedStart, removeTempDirs, spawnLake, stopAllLakes} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

const LOG = 'transactions.ndjson'
const SNAPSHOT = 'snapshot.ndjson'
const CASES = Number(process.env.CRASH_CORRUPTIONS || 8)

const randomInt = (below: number) => Math.floor(Math.random() * below)

/** [start, end) of each line, without its newline. */
function lines(buf: Buffer): Array<[number, number]> {
  const out: Array<[number, number]> = []
  for (let start = 0; start < buf.length; ) {
    const nl = buf.indexOf(0x0a, start)
    out.push([start, nl])
    start = nl + 1
  }
  return out
}

/** Every file in `dir` with a hash of its content. */
function contents(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of fs.readdirSync(dir).sort()) out[name] = createHash('sha256').update(fs.readFileSync(path.join(dir, name))).digest('hex')
  return out
}

function copyOf(dir: string): string {
  const copy = makeTempDir()
  fs.cpSync(dir, copy, {recursive: true})
  return copy
}

/** Flips one byte of line `line` in `file`; returns the line's start offset. */
function flip(file: string, [start, end]: [number, number]): {at: number; offset: number} {
  const buf = fs.readFileSync(file)
  const at = start + randomInt(end - start)
  buf[at] ^= 1 + randomInt(255)
  fs.writeFileSync(file, buf)
  return {at, offset: start}
}

async function refusal(dir: string): Promise<string> {
  const before = contents(dir)
  const outcome = await refusedStart(dir)
  expect(contents(dir), 'a refusing lake changes no file').toEqual(before)
  return outcome
}

let logDir: string
let snapDir: string
let exported: string

beforeAll(async () => {
  logDir = makeTempDir()
  let lake = await spawnLake({dir: logDir})
  const client = lakeClient(lake)
  for (let i = 0; i < 20; i++) await client.createOrReplace({_id: `d-${i % 7}`, _type: 't', i, text: 'نص '.repeat(i)})
  await client.delete('d-3')
  exported = (await lakeRequest(lake, 'GET', '/v1/data/export/production')).text
  await lake.stop()
  fs.rmSync(path.join(logDir, 'token'))
  snapDir = copyOf(logDir)
  lake = await spawnLake({dir: snapDir, env: {LAKE_COMPACT_BYTES: '0'}})
  await lake.stop()
  fs.rmSync(path.join(snapDir, 'token'))
  expect(fs.statSync(path.join(snapDir, LOG)).size).toBe(0)
})

describe('corrupted records', () => {
  it(`refuses ${CASES} random byte flips in middle log records and ${CASES} in the last complete one`, async () => {
    const count = lines(fs.readFileSync(path.join(logDir, LOG))).length
    expect(count).toBe(21)
    for (let n = 0; n < 2 * CASES; n++) {
      const dir = copyOf(logDir)
      const file = path.join(dir, LOG)
      const line = n < CASES ? 2 + randomInt(count - 2) : count
      const {at, offset} = flip(file, lines(fs.readFileSync(path.join(logDir, LOG)))[line - 1])
      const message = await refusal(dir)
      expect(message, `byte ${at} flipped`).toContain(`transaction log ${file} is corrupt at line ${line} (byte offset ${offset})`)
      expect(message).toContain(`truncate -s ${offset} ${file}`)
    }
  })

  it(`refuses ${CASES} random byte flips in snapshot lines`, async () => {
    const all = lines(fs.readFileSync(path.join(snapDir, SNAPSHOT)))
    expect(all.length).toBe(1 + 6 + 1) // header, 6 documents, the ids no document holds
    for (let n = 0; n < CASES; n++) {
      const dir = copyOf(snapDir)
      const file = path.join(dir, SNAPSHOT)
      const line = 1 + randomInt(all.length)
      const {at, offset} = flip(file, all[line - 1])
      const message = await refusal(dir)
      expect(message, `byte ${at} flipped`).toContain(`snapshot ${file} is corrupt at line ${line}${line === 1 ? ', its header' : ''} (byte offset ${offset})`)
    }
  })

  it(`cuts ${CASES} torn tails of random length and starts with the same documents`, async () => {
    const intact = fs.readFileSync(path.join(logDir, LOG))
    const [start, end] = lines(intact).at(-1)!
    const line = intact.subarray(start, end + 1)
    for (let n = 0; n < CASES; n++) {
      const dir = copyOf(logDir)
      const file = path.join(dir, LOG)
      fs.appendFileSync(file, line.subarray(0, 1 + randomInt(line.length - 1))) // never the newline
      const lake = await spawnLake({dir})
      try {
        expect((await lakeRequest(lake, 'GET', '/v1/data/export/production')).text).toBe(exported)
        expect(fs.readFileSync(file)).toEqual(intact)
      } finally {
        await lake.stop()
      }
    }
  })
})
