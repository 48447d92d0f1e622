import http2 from 'node:http2'
import net from 'node:net'
import {afterAll, describe, expect, it} from 'vitest'
import {lakeRequest, makeTempDir, removeTempDirs, runScript, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'
import {expectAlive, expectLimitError, rawExchange, rssMb} from './limits-support'

/**
 * Issue 8, limits: header and URL size, slow headers, connections and requests in progress per
 * client, and LAKE_* values checked at start-up. Answers are in Sanity's error shapes.
 */

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

const QUERY = '/v2025-02-19/data/query/production'

describe('header and URL size (defaults)', () => {
  it('a 20 kB URL is a 414 and 40 kB of headers a 431, both as JSON naming the variable; HTTP/2 too', async () => {
    const lake = await spawnLake({tls: true})
    const longQuery = `${QUERY}?query=${encodeURIComponent(`*[_id in [${Array.from({length: 1500}, (_, i) => `"id-${i}"`).join(',')}]]`)}`
    expect(longQuery.length).toBeGreaterThan(20_000)
    const url = await lakeRequest(lake, 'GET', longQuery)
    expect(url.status).toBe(414)
    expectLimitError(url.json, 414, 'LAKE_MAX_URL_BYTES')

    const headers = await rawExchange(lake, `GET /v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(40 * 1024)}\r\n\r\n`, {giveUpMs: 5000})
    expect(headers.status).toBe(431)
    expectLimitError(JSON.parse(headers.body), 431, 'LAKE_MAX_HEADER_BYTES')

    // The Studio's HTTP/2 port answers the same way.
    const session = http2.connect(lake.tlsUrl!, {rejectUnauthorized: false})
    try {
      const {status, body} = await new Promise<{status: number; body: string}>((resolve, reject) => {
        const stream = session.request({':path': longQuery, authorization: `Bearer ${lake.token}`})
        let body = ''
        let status = 0
        stream.on('response', (h) => (status = Number(h[':status'])))
        stream.setEncoding('utf8').on('data', (c: string) => (body += c))
        stream.on('end', () => resolve({status, body}))
        stream.on('error', reject)
      })
      expect(status).toBe(414)
      expectLimitError(JSON.parse(body), 414, 'LAKE_MAX_URL_BYTES')
    } finally {
      session.close()
    }
    await expectAlive(lake)
    await lake.stop()
  })
})

describe('connections and requests per client', () => {
  let lake: SpawnedLake

  it('slow headers are cut at LAKE_HEADERS_TIMEOUT_MS with a 408', async () => {
    lake = await spawnLake({
      env: {
        LAKE_HEADERS_TIMEOUT_MS: '1000',
        LAKE_MAX_CONNECTIONS_PER_CLIENT: '120',
        LAKE_MAX_REQUESTS_PER_CLIENT_ANONYMOUS: '4',
        LAKE_BODY_TIMEOUT_MS_ANONYMOUS: '2000',
      },
    })
    const started = Date.now()
    const answers = await Promise.all(
      Array.from({length: 100}, () =>
        rawExchange(lake, 'GET /v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n', {
          // One header byte every 200 ms: at HEAD a connection could stay like this for a minute.
          send: (socket) => {
            const drip = setInterval(() => (socket.destroyed ? clearInterval(drip) : socket.write('X')), 200)
            socket.once('close', () => clearInterval(drip))
          },
          giveUpMs: 6000,
        }),
      ),
    )
    console.log(`100 slow-header connections: statuses ${[...new Set(answers.map((a) => a.status))].join(',')}, all closed after ${Date.now() - started} ms`)
    expect(answers.every((a) => a.closed)).toBe(true)
    expect(answers.every((a) => a.status === 408)).toBe(true)
    expectLimitError(JSON.parse(answers[0].body), 408, 'LAKE_HEADERS_TIMEOUT_MS')
    await expectAlive(lake)
  })

  it('past LAKE_MAX_CONNECTIONS_PER_CLIENT a new connection gets 429 + Retry-After', async () => {
    const sockets: net.Socket[] = []
    try {
      // 120 idle connections fill the cap (each would be cut after 1 s of silence).
      await Promise.all(
        Array.from({length: 120}, () => new Promise<void>((resolve) => sockets.push(net.connect(lake.port, '127.0.0.1', () => resolve())))),
      )
      const before = rssMb(lake.proc.pid)
      const extra = await Promise.all(Array.from({length: 20}, () => rawExchange(lake, 'GET /v1/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n', {giveUpMs: 3000})))
      console.log(`120 open + 20 more connections: statuses ${[...new Set(extra.map((a) => a.status))].join(',')}; RSS ${before} → ${rssMb(lake.proc.pid)} MB`)
      for (const a of extra) {
        expect(a.status).toBe(429)
        expect(a.headers['retry-after']).toBe('1')
      }
      expectLimitError(JSON.parse(extra[0].body), 429, 'LAKE_MAX_CONNECTIONS_PER_CLIENT')
    } finally {
      for (const s of sockets) s.destroy()
    }
    await expect.poll(async () => (await fetch(`${lake.url}/v1/ping`)).status, {timeout: 3000}).toBe(200)
  })

  it('anonymous requests past their cap get 429 while the token holder is still served', async () => {
    const held = Array.from({length: 4}, () =>
      rawExchange(lake, `POST ${QUERY} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 50\r\n\r\n{`, {giveUpMs: 15_000}),
    )
    await new Promise((resolve) => setTimeout(resolve, 300))
    const anonymous = await lakeRequest(lake, 'GET', `${QUERY}?query=count(*)`, {token: null})
    expect(anonymous.status).toBe(429)
    expect(anonymous.headers.get('retry-after')).toBe('1')
    expectLimitError(anonymous.json, 429, 'LAKE_MAX_REQUESTS_PER_CLIENT_ANONYMOUS')
    const token = await lakeRequest(lake, 'GET', `${QUERY}?query=count(*)`)
    expect(token.status).toBe(200)
    // The held bodies end at the anonymous body deadline (LAKE_BODY_TIMEOUT_MS_ANONYMOUS) with a 408.
    for (const a of await Promise.all(held)) expect(a.status).toBe(408)
    expect((await lakeRequest(lake, 'GET', `${QUERY}?query=count(*)`, {token: null})).status).toBe(200)
  }, 30_000)
})

describe('start-up', () => {
  it('an invalid limit stops the lake with a message naming the variable', async () => {
    const result = await runScript('src/lake/cli.ts', [], {LAKE_DIR: makeTempDir(), LAKE_PORT: '0', LAKE_TLS_PORT: 'off', LAKE_MAX_RESULT_BYTES: '12MB'}, 20_000)
    expect(result.code).not.toBe(0)
    expect(result.stderr).toContain('LAKE_MAX_RESULT_BYTES=12MB is not a byte count')
    const inverted = await runScript(
      'src/lake/cli.ts',
      [],
      {LAKE_DIR: makeTempDir(), LAKE_PORT: '0', LAKE_TLS_PORT: 'off', LAKE_MAX_LISTENERS: '2', LAKE_MAX_LISTENERS_ANONYMOUS: '5'},
      20_000,
    )
    expect(inverted.code).not.toBe(0)
    expect(inverted.stderr).toContain('LAKE_MAX_LISTENERS_ANONYMOUS=5 is above LAKE_MAX_LISTENERS=2')
  })
})
