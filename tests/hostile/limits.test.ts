import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeRequest, removeTempDirs, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'
import {expectAlive, expectLimitError, rawExchange, rssMb, seed} from './limits-support'

/**
 * Issue 8, items 2 (result size) and 6 (request bodies): with the default limits, neither a
 * query whose JSON is gigabytes nor many large or slow request bodies can grow the lake's
 * memory or hold its connections.
 */

let lake: SpawnedLake

beforeAll(async () => {
  lake = await spawnLake()
  await seed(lake, 3000, 1000)
}, 60_000)

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

const QUERY = '/v2025-02-19/data/query/production'

describe('result size', () => {
  it('*{"all": *} at 3,000 documents is refused quickly, without building its JSON', async () => {
    const before = rssMb(lake.proc.pid)
    const started = Date.now()
    // At HEAD this ran for minutes and grew the lake to gigabytes.
    const anonymous = await fetch(`${lake.url}${QUERY}?query=${encodeURIComponent('*{"all": *}')}`, {signal: AbortSignal.timeout(20_000)})
    const body = (await anonymous.json()) as {error?: {type?: string; description?: string}}
    expect(anonymous.status).toBe(422)
    expect(body.error?.type).toBe('queryResultTooLarge')
    expect(body.error?.description).toContain('LAKE_MAX_RESULT_BYTES_ANONYMOUS')
    expect(body.error?.description).toMatch(/slice|projection/)

    const token = await lakeRequest(lake, 'GET', `${QUERY}?query=${encodeURIComponent('*{"all": *}')}`)
    expect(token.status).toBe(422)
    expect(JSON.stringify(token.json)).toContain('LAKE_MAX_RESULT_BYTES')
    const ms = Date.now() - started
    const after = rssMb(lake.proc.pid)
    console.log(`*{"all": *} at 3,000 docs: 422 ×2 in ${ms} ms, lake RSS ${before} → ${after} MB`)
    expect(ms).toBeLessThan(10_000)
    expect(after - before).toBeLessThan(250)
    await expectAlive(lake)

    // Results under the limit are unchanged: all 3,000 documents, anonymous too.
    const all = await fetch(`${lake.url}${QUERY}?query=${encodeURIComponent('*[_type == "filler"]{_id, n, text}')}`)
    expect(all.status).toBe(200)
    expect(((await all.json()) as {result: unknown[]}).result).toHaveLength(3000)
  })
})

describe('request bodies', () => {
  it('an anonymous query body over 1 MB is a 413 naming LAKE_MAX_BODY_BYTES_ANONYMOUS', async () => {
    const body = JSON.stringify({query: 'count(*)', params: {pad: 'x'.repeat(2 * 1024 * 1024)}})
    const res = await lakeRequest(lake, 'POST', QUERY, {body, token: null})
    expect(res.status).toBe(413)
    expectLimitError(res.json, 413, 'LAKE_MAX_BODY_BYTES_ANONYMOUS')
    // A token holder may still send it.
    const token = await lakeRequest(lake, 'POST', QUERY, {body})
    expect(token.status).toBe(200)
    await expectAlive(lake)
  })

  it('40 connections each holding 4 MB of a 15.9 MB anonymous body do not grow the lake', async () => {
    const declared = Math.floor(15.9 * 1024 * 1024)
    const sent = 4 * 1024 * 1024
    const chunk = Buffer.alloc(64 * 1024, 'a')
    const before = rssMb(lake.proc.pid)
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, rssMb(lake.proc.pid))), 100)
    const holders = Array.from({length: 40}, () =>
      rawExchange(lake, `POST ${QUERY} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`, {
        // Most of the body, then nothing: at HEAD every byte was buffered until the body ended.
        send: (socket) => {
          let left = sent
          const pump = () => {
            while (left > 0) {
              left -= chunk.length
              if (!socket.write(chunk)) return void socket.once('drain', pump)
            }
          }
          pump()
        },
        giveUpMs: 14_000,
      }),
    )
    const answers = await Promise.all(holders)
    clearInterval(sampler)
    const after = rssMb(lake.proc.pid)
    const statuses = answers.map((a) => a.status)
    console.log(`40 × 4 MB of 15.9 MB anonymous bodies: statuses ${[...new Set(statuses)].join(',')}, lake RSS ${before} → peak ${peak} → ${after} MB`)
    // Refused by size (413), by the anonymous body deadline (408/413 after 10 s), or as too many at once (429).
    for (const status of statuses) expect([408, 413, 429]).toContain(status)
    expect(answers.every((a) => a.closed)).toBe(true)
    expect(peak - before).toBeLessThan(100)
    await expectAlive(lake)
  }, 30_000)
})

describe('slow bodies', () => {
  it('slow-body connections are cut at the body deadline and the excess refused with 429 + Retry-After', async () => {
    const slow = await spawnLake({env: {LAKE_BODY_TIMEOUT_MS_ANONYMOUS: '1500', LAKE_MAX_REQUESTS_PER_CLIENT_ANONYMOUS: '20'}})
    const started = Date.now()
    const answers = await Promise.all(
      Array.from({length: 60}, () =>
        rawExchange(slow, `POST ${QUERY} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`, {
          // One byte every 500 ms: at HEAD such a body was waited for forever.
          send: (socket) => {
            const drip = setInterval(() => (socket.destroyed ? clearInterval(drip) : socket.write(' ')), 500)
            socket.once('close', () => clearInterval(drip))
          },
          giveUpMs: 8_000,
        }),
      ),
    )
    const statuses = answers.map((a) => a.status)
    const timedOut = answers.filter((a) => a.status === 408)
    const refused = answers.filter((a) => a.status === 429)
    console.log(
      `60 slow bodies: ${timedOut.length} × 408 (last closed after ${Math.max(...timedOut.map((a) => a.closedAfterMs))} ms), ${refused.length} × 429; all closed in ${Date.now() - started} ms`,
    )
    expect(statuses.every((s) => s === 408 || s === 429)).toBe(true)
    expect(answers.every((a) => a.closed)).toBe(true)
    expect(timedOut.length).toBe(20)
    expect(refused.length).toBe(40)
    expect(refused[0].headers['retry-after']).toBe('1')
    expectLimitError(JSON.parse(refused[0].body), 429, 'LAKE_MAX_REQUESTS_PER_CLIENT_ANONYMOUS')
    expectLimitError(JSON.parse(timedOut[0].body), 408, 'LAKE_BODY_TIMEOUT_MS_ANONYMOUS')
    for (const a of timedOut) expect(a.closedAfterMs).toBeLessThan(5_000)
    await expectAlive(slow)
    await slow.stop()
  }, 30_000)

  it('token bodies together past LAKE_MAX_BUFFERED_BODY_BYTES get 429 + Retry-After; memory stays bounded', async () => {
    const tight = await spawnLake({env: {LAKE_MAX_BUFFERED_BODY_BYTES: String(8 * 1024 * 1024)}})
    const before = rssMb(tight.proc.pid)
    const declared = 6 * 1024 * 1024
    const chunk = Buffer.alloc(64 * 1024, ' ')
    const answers = await Promise.all(
      Array.from({length: 20}, () =>
        rawExchange(
          tight,
          `POST /v2025-02-19/data/mutate/production HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${tight.token}\r\nContent-Type: application/json\r\nContent-Length: ${declared}\r\n\r\n`,
          {
            send: (socket) => {
              let left = declared - 1024 * 1024
              const pump = () => {
                while (left > 0) {
                  left -= chunk.length
                  if (!socket.write(chunk)) return void socket.once('drain', pump)
                }
              }
              pump()
            },
            giveUpMs: 4_000,
          },
        ),
      ),
    )
    const during = rssMb(tight.proc.pid)
    const refused = answers.filter((a) => a.status === 429)
    console.log(`20 × 5 MB token bodies, 8 MB budget: ${refused.length} × 429, lake RSS ${before} → ${during} MB`)
    // At most one 6 MB body fits an 8 MB budget; the rest are refused at once.
    expect(refused.length).toBeGreaterThanOrEqual(18)
    expect(refused[0].headers['retry-after']).toBe('1')
    expectLimitError(JSON.parse(refused[0].body), 429, 'LAKE_MAX_BUFFERED_BODY_BYTES')
    expect(during - before).toBeLessThan(60)
    await expectAlive(tight)
    await tight.stop()
  }, 30_000)
})
