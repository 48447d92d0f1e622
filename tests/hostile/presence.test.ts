// The presence WebSocket under hostile input (issue 14): malformed frames written on raw sockets,
// refused upgrades, idle and flooding sockets. Each bad socket must be closed (with RFC 6455's
// close code where it names one) while a well-behaved client on the same lake goes on working,
// and the lake keeps answering /v1/ping.
import {randomBytes} from 'node:crypto'
import net from 'node:net'
import {performance} from 'node:perf_hooks'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import WebSocket from 'ws'
import {lakeRequest, removeTempDirs, spawnLake, stopAllLakes, type Json, type SpawnedLake} from '../helpers/lake'

const SOCKET_PATH = '/v2022-06-30/socket/production'
const HEARTBEAT_MS = 1000
// Shorter than one heartbeat, so an unauthorized socket meets its deadline before the idle check can drop it.
const AUTH_TIMEOUT_MS = 600
const MAX_MESSAGE_BYTES = 1024 * 1024
const EXTRA_ORIGIN = 'https://studio.example.com'

let lake: SpawnedLake
/** A Studio-like tab that stays open through every case: nothing done to the others may reach it. */
let witness: Tab
let subscription: string
/** Heartbeats ("♥") the witness heard. */
let heartbeats = 0

beforeAll(async () => {
  lake = await spawnLake({
    env: {
      LAKE_PRESENCE_HEARTBEAT_MS: String(HEARTBEAT_MS),
      LAKE_PRESENCE_AUTH_TIMEOUT_MS: String(AUTH_TIMEOUT_MS),
      LAKE_CORS_ORIGINS: EXTRA_ORIGIN,
    },
  })
  witness = await openTab()
  witness.ws.on('message', (data) => {
    if (data.toString() === '\u2665') heartbeats++
  })
  expect(await witness.call('authorization', {authorization: `Bearer ${lake.token}`})).toMatchObject({result: true})
  subscription = (await witness.call('presence_subscribe', {})).result as string
  expect(subscription).toEqual(expect.any(String))
}, 60_000)

afterAll(async () => {
  witness?.ws.terminate()
  await stopAllLakes()
  removeTempDirs()
})

// ---- a well-behaved client: `ws`, as the Studio's browser socket behaves (masked frames, answers pings)

interface Tab {
  ws: WebSocket
  messages: Json[]
  call(method: string, params: Json): Promise<Json>
  next(predicate: (m: Json) => boolean, timeoutMs?: number): Promise<Json>
}

function openTab(headers: Record<string, string> = {}, target: SpawnedLake = lake): Promise<Tab> {
  const ws = new WebSocket(`ws://127.0.0.1:${target.port}${SOCKET_PATH}?tag=sanity.studio`, {headers})
  const messages: Json[] = []
  const waiters = new Set<() => void>()
  ws.on('message', (data) => {
    const text = data.toString()
    if (text === '\u2665') return
    messages.push(JSON.parse(text) as Json)
    for (const waiter of [...waiters]) waiter()
  })
  let ids = 0
  const tab: Tab = {
    ws,
    messages,
    next(predicate, timeoutMs = 3000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const index = messages.findIndex(predicate)
          if (index < 0) return
          waiters.delete(check)
          clearTimeout(timer)
          resolve(messages.splice(index, 1)[0])
        }
        const timer = setTimeout(() => {
          waiters.delete(check)
          reject(new Error(`no matching presence message in ${timeoutMs} ms; got ${JSON.stringify(messages)}`))
        }, timeoutMs)
        waiters.add(check)
        check()
      })
    },
    call(method, params) {
      const id = `call-${++ids}`
      ws.send(JSON.stringify({jsonrpc: '2.0', id, method, params}))
      return tab.next((m) => m.id === id)
    },
  }
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(tab))
    ws.once('error', reject)
  })
}

// ---- raw sockets: whatever bytes a hostile client likes

interface RawSocket {
  status: number
  /** The response head, and for a refusal its body. */
  head: string
  body: string
  /** Messages (text frames) the server sent, parsed; heartbeats left out. */
  messages: Json[]
  /** The code of the server's close frame, if it sent one. */
  closeCode(): number | undefined
  /** Resolves when the TCP connection is closed, with the time it happened (performance.now()). */
  closed: Promise<number>
  write(bytes: Buffer): void
  /** Stops reading: what the server sends piles up in its buffers. */
  pause(): void
  resume(): void
  destroy(): void
}

function rawUpgrade(options: {headers?: Record<string, string>; path?: string; target?: SpawnedLake} = {}): Promise<RawSocket> {
  const port = (options.target ?? lake).port
  const headers: Record<string, string> = {
    Host: `127.0.0.1:${port}`,
    Connection: 'Upgrade',
    Upgrade: 'websocket',
    'Sec-WebSocket-Version': '13',
    'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
    ...options.headers,
  }
  const request = `GET ${options.path ?? SOCKET_PATH} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`
  const socket = net.connect(port, '127.0.0.1', () => socket.write(request))
  let buffer = Buffer.alloc(0)
  let closeCode: number | undefined
  const messages: Json[] = []
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve(performance.now())))
  socket.on('error', () => {})
  return new Promise((resolve, reject) => {
    let raw: RawSocket | undefined
    const parseFrames = () => {
      while (buffer.length >= 2) {
        const opcode = buffer[0] & 0x0f
        let length = buffer[1] & 0x7f
        let offset = 2
        if (length === 126) {
          if (buffer.length < 4) return
          length = buffer.readUInt16BE(2)
          offset = 4
        } else if (length === 127) {
          if (buffer.length < 10) return
          length = Number(buffer.readBigUInt64BE(2))
          offset = 10
        }
        if (buffer.length < offset + length) return
        const payload = buffer.subarray(offset, offset + length)
        buffer = buffer.subarray(offset + length)
        if (opcode === 0x8 && payload.length >= 2) closeCode = payload.readUInt16BE(0)
        if (opcode === 0x1 && payload.toString('utf8') !== '\u2665') messages.push(JSON.parse(payload.toString('utf8')) as Json)
      }
    }
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      if (!raw) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buffer.subarray(0, end).toString('utf8')
        buffer = buffer.subarray(end + 4)
        raw = {
          status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
          head,
          body: '',
          messages,
          closeCode: () => closeCode,
          closed,
          write: (bytes) => socket.write(bytes),
          pause: () => socket.pause(),
          resume: () => socket.resume(),
          destroy: () => socket.destroy(),
        }
        if (raw.status !== 101) {
          // A refusal: the body follows the head, then the server hangs up.
          const refusal = raw
          void closed.then(() => {
            refusal.body = buffer.toString('utf8')
            resolve(refusal)
          })
          return
        }
        resolve(raw)
      }
      if (raw.status === 101) parseFrames()
    })
    socket.once('close', () => {
      if (!raw) reject(new Error(`the lake closed the connection without answering the upgrade (${buffer.toString('utf8').slice(0, 200)})`))
    })
  })
}

interface FrameOptions {
  opcode: number
  payload?: Buffer
  fin?: boolean
  /** The RSV1-3 bits, as the high nibble's lower three bits (0x40 = RSV1). */
  rsv?: number
  masked?: boolean
  /** A length to declare instead of the payload's (the payload is then not sent). */
  declaredLength?: bigint
}

/** One client frame, built by hand (RFC 6455 §5.2). */
function frame(options: FrameOptions): Buffer {
  const payload = options.payload ?? Buffer.alloc(0)
  const length = options.declaredLength ?? BigInt(payload.length)
  const first = ((options.fin ?? true) ? 0x80 : 0) | (options.rsv ?? 0) | options.opcode
  const maskBit = (options.masked ?? true) ? 0x80 : 0
  let header: Buffer
  if (length < 126n) header = Buffer.from([first, maskBit | Number(length)])
  else if (length < 65536n) {
    header = Buffer.from([first, maskBit | 126, 0, 0])
    header.writeUInt16BE(Number(length), 2)
  } else {
    header = Buffer.alloc(10)
    header[0] = first
    header[1] = maskBit | 127
    header.writeBigUInt64BE(length, 2)
  }
  if (options.declaredLength !== undefined) return options.masked === false ? header : Buffer.concat([header, randomBytes(4)])
  if (options.masked === false) return Buffer.concat([header, payload])
  const mask = randomBytes(4)
  return Buffer.concat([header, mask, Buffer.from(payload.map((byte, i) => byte ^ mask[i & 3]))])
}

const text = (value: string | Buffer, extra: Partial<FrameOptions> = {}) => frame({opcode: 0x1, payload: Buffer.isBuffer(value) ? value : Buffer.from(value), ...extra})

function closeFrame(code: number): Buffer {
  const payload = Buffer.alloc(2)
  payload.writeUInt16BE(code)
  return frame({opcode: 0x8, payload})
}

/** Upgrades, then authorizes with the lake token, so what follows is judged on its frames alone. */
async function authorizedRaw(): Promise<RawSocket> {
  const raw = await rawUpgrade()
  expect(raw.status).toBe(101)
  raw.write(text(JSON.stringify({jsonrpc: '2.0', id: 'auth', method: 'authorization', params: {authorization: `Bearer ${lake.token}`}})))
  await expect.poll(() => raw.messages.find((m) => m.id === 'auth'), {timeout: 2000, interval: 10}).toMatchObject({result: true})
  return raw
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms))),
  ])
}

/** The lake answers a ping at once, and the witness tab is still open and served. */
async function expectHealthy(): Promise<void> {
  const started = performance.now()
  const ping = await lakeRequest(lake, 'GET', '/v1/ping', {token: null})
  const pingMs = performance.now() - started
  expect(ping.status).toBe(200)
  expect(ping.text).toBe('PONG')
  expect(pingMs).toBeLessThan(500)
  expect(witness.ws.readyState).toBe(WebSocket.OPEN)
  expect(await witness.call('presence_rollcall', {session: 'witness'})).toMatchObject({result: true})
}

describe('malformed frames close that socket only', () => {
  const cases: Array<{name: string; bytes: () => Buffer; code: number}> = [
    // RFC 6455 §5.1: a server must close the connection on an unmasked client frame (1002, protocol error).
    {name: 'an unmasked client frame', bytes: () => text('{"jsonrpc":"2.0"}', {masked: false}), code: 1002},
    // §5.2: RSV bits must be 0 unless an extension says otherwise; none is negotiated.
    {name: 'reserved bits set', bytes: () => text('{}', {rsv: 0x40}), code: 1002},
    {name: 'an unknown opcode (0x3)', bytes: () => frame({opcode: 0x3, payload: Buffer.from('x')}), code: 1002},
    // §5.5: control frames must not be fragmented.
    {name: 'a fragmented control frame (ping without FIN)', bytes: () => frame({opcode: 0x9, fin: false, payload: Buffer.from('p')}), code: 1002},
    // §5.2: the 64-bit length's top bit must be 0; ws reports such a frame as too big (1009).
    {name: 'a 64-bit length of 2^63', bytes: () => frame({opcode: 0x2, declaredLength: 2n ** 63n}), code: 1009},
    {name: 'one frame declaring 1 byte over the message limit', bytes: () => frame({opcode: 0x1, declaredLength: BigInt(MAX_MESSAGE_BYTES + 1)}), code: 1009},
    {
      name: 'a message over the limit in two fragments',
      bytes: () =>
        Buffer.concat([
          text(Buffer.alloc(MAX_MESSAGE_BYTES / 2 + 1024, 0x20), {fin: false}),
          frame({opcode: 0x0, payload: Buffer.alloc(MAX_MESSAGE_BYTES / 2 + 1024, 0x20)}),
        ]),
      code: 1009,
    },
    // §8.1: a text frame that is not UTF-8 fails the connection with 1007.
    {name: 'invalid UTF-8 in a text frame', bytes: () => text(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0x22, 0x7d])), code: 1007},
    // §7.4.1: 1005 must never be sent in a close frame.
    {name: 'a close frame with the reserved code 1005', bytes: () => closeFrame(1005), code: 1002},
    {name: 'a close frame with the unassigned code 2000', bytes: () => closeFrame(2000), code: 1002},
    {name: 'a close frame with a one-byte body', bytes: () => frame({opcode: 0x8, payload: Buffer.from([3])}), code: 1002},
    // Not in the RFC: a client that pings without end is closed as a policy violation (1008).
    {name: 'a flood of 5,000 pings', bytes: () => Buffer.concat(Array.from({length: 5000}, () => frame({opcode: 0x9, payload: Buffer.from('ping')}))), code: 1008},
  ]

  it.each(cases)('$name: closed with $code', async ({bytes, code}) => {
    const raw = await authorizedRaw()
    raw.write(bytes())
    await within(raw.closed, 3000, 'the socket was not closed')
    // The idle check (a raw socket answers no ping) would close it too, but sends no close frame.
    expect(raw.closeCode()).toBe(code)
    await expectHealthy()
  })

  it('a frame cut in its header, the socket then held open, is closed by the idle check', async () => {
    const raw = await authorizedRaw()
    // FIN + text, then nothing: the second header byte never comes.
    raw.write(Buffer.from([0x81]))
    // A ping unanswered for one heartbeat interval: dropped after one to two intervals, without a close frame.
    await within(raw.closed, 4 * HEARTBEAT_MS, 'the held socket was not closed')
    expect(raw.closeCode()).toBeUndefined()
    await expectHealthy()
  })

  it('a frame cut mid-header before authorizing is closed at the authorization deadline', async () => {
    const raw = await rawUpgrade()
    expect(raw.status).toBe(101)
    raw.write(Buffer.from([0x81, 0xfe, 0x01]))
    await within(raw.closed, AUTH_TIMEOUT_MS + 2000, 'the held socket was not closed')
    expect(raw.closeCode()).toBe(4001)
    await expectHealthy()
  })
})

describe('upgrades', () => {
  it('refuses a foreign Host with 421 and a foreign Origin with 403, before upgrading', async () => {
    const host = await rawUpgrade({headers: {Host: 'evil.example'}})
    expect(host.status).toBe(421)
    expect(JSON.parse(host.body)).toMatchObject({statusCode: 421, message: expect.stringContaining('LAKE_ALLOWED_HOSTS')})

    const origin = await rawUpgrade({headers: {Origin: 'https://evil.example'}})
    expect(origin.status).toBe(403)
    expect(JSON.parse(origin.body)).toMatchObject({statusCode: 403, message: expect.stringContaining('LAKE_CORS_ORIGINS')})
    // Origin "null" (a sandboxed frame, a file: page) is foreign too.
    expect((await rawUpgrade({headers: {Origin: 'null'}})).status).toBe(403)

    // The Studio's own origins, and those in LAKE_CORS_ORIGINS, are let in.
    for (const allowed of ['http://localhost:3333', 'https://local.localhost:3333', EXTRA_ORIGIN]) {
      const ok = await rawUpgrade({headers: {Origin: allowed}})
      expect(ok.status, allowed).toBe(101)
      ok.destroy()
    }
    const named = await rawUpgrade({headers: {Host: `localhost:${lake.port}`}})
    expect(named.status).toBe(101)
    named.destroy()
    await expectHealthy()
  })

  it('upgrades without a token, answers nothing but 4001 until authorization, and closes at the deadline with 4001', async () => {
    const tab = await openTab()
    const opened = performance.now()
    const closed = new Promise<number>((resolve) => tab.ws.once('close', (code) => resolve(code)))
    const early = await tab.call('presence_subscribe', {})
    expect(early.error).toMatchObject({code: 4001})
    expect(await within(closed, AUTH_TIMEOUT_MS + 2000, 'the unauthorized socket was not closed')).toBe(4001)
    expect(performance.now() - opened).toBeGreaterThanOrEqual(AUTH_TIMEOUT_MS - 50)
    await expectHealthy()
  })

  it('closes a socket that authorizes with the wrong token with 4001', async () => {
    const tab = await openTab()
    const closed = new Promise<number>((resolve) => tab.ws.once('close', (code) => resolve(code)))
    const answer = await tab.call('authorization', {authorization: 'Bearer not-the-token'})
    expect(answer.error).toMatchObject({code: 4001})
    expect(await within(closed, 2000, 'the socket was not closed')).toBe(4001)
  })
})

describe('a well-behaved client', () => {
  it('still works after all of the above: announcements reach the other tab verbatim, and pings keep it open', async () => {
    const tab = await openTab({Origin: 'https://local.localhost:3333'})
    try {
      expect(await tab.call('authorization', {authorization: `Bearer ${lake.token}`})).toMatchObject({result: true})
      const data = {sessionId: 'tab-arabic', locations: [{type: 'document', documentId: 'article-1', path: ['title']}], note: 'عنوانُ الخبر\u200f'}
      expect(await tab.call('presence_announce', {data})).toMatchObject({result: true})
      const state = await witness.next((m) => m.method === 'presence_subscription' && ((m.params as Json).result as Json).type === 'state')
      expect(state.params).toEqual({subscription, result: {type: 'state', i: 'local-lake-user', m: data}})

      // The witness has been open for several heartbeat intervals, answering the lake's pings.
      expect(heartbeats).toBeGreaterThanOrEqual(2)
      expect(witness.ws.readyState).toBe(WebSocket.OPEN)

      tab.ws.close(1000)
      const gone = await witness.next((m) => m.method === 'presence_subscription' && ((m.params as Json).result as Json).type === 'disconnect')
      expect((gone.params as Json).result).toEqual({type: 'disconnect', i: 'local-lake-user', m: {session: 'tab-arabic'}})
    } finally {
      tab.ws.terminate()
    }
    await expectHealthy()
  })
})

describe('limits on sockets (default heartbeat)', () => {
  it('presence sockets count against LAKE_MAX_CONNECTIONS_PER_CLIENT, and a tab that reads nothing is dropped', async () => {
    const other = await spawnLake({env: {LAKE_MAX_CONNECTIONS_PER_CLIENT: '6'}})
    const open: RawSocket[] = []
    for (let i = 0; i < 6; i++) {
      const raw = await rawUpgrade({target: other})
      expect(raw.status).toBe(101)
      open.push(raw)
    }
    const refused = await rawUpgrade({target: other})
    expect(refused.status).toBe(429)
    expect(JSON.parse(refused.body)).toMatchObject({statusCode: 429, message: expect.stringContaining('LAKE_MAX_CONNECTIONS_PER_CLIENT')})
    open.pop()!.destroy()
    await expect.poll(async () => {
      const again = await rawUpgrade({target: other})
      again.destroy()
      return again.status
    }, {timeout: 2000, interval: 50}).toBe(101)

    // 300,000 tiny requests, each answered with about 110 bytes, and the answers never read:
    // about 33 MB that the lake would otherwise hold for this one socket.
    const reader = open[0]
    reader.pause()
    const request = text('{}')
    const written = performance.now()
    reader.write(Buffer.concat(Array.from({length: 300_000}, () => request)))
    // Not the heartbeat (30 s here): the unsent answers past the cap close it.
    await new Promise((resolve) => setTimeout(resolve, 3000))
    reader.resume()
    const closedAt = await within(reader.closed, 3000, 'the socket that reads nothing was not closed')
    expect(closedAt - written).toBeLessThan(10_000)

    for (const raw of open) raw.destroy()
    const started = performance.now()
    const ping = await lakeRequest(other, 'GET', '/v1/ping', {token: null})
    expect(ping.status).toBe(200)
    expect(performance.now() - started).toBeLessThan(500)
    const tab = await openTab({}, other)
    expect(await tab.call('authorization', {authorization: `Bearer ${other.token}`})).toMatchObject({result: true})
    tab.ws.terminate()
    await other.stop()
  })

  it('stops start-up on an invalid LAKE_PRESENCE_* value, naming it', async () => {
    await Promise.all([
      expect(spawnLake({env: {LAKE_PRESENCE_HEARTBEAT_MS: '30s'}})).rejects.toThrow(/LAKE_PRESENCE_HEARTBEAT_MS=30s is not a time in milliseconds/),
      expect(spawnLake({env: {LAKE_PRESENCE_AUTH_TIMEOUT_MS: '0'}})).rejects.toThrow(/LAKE_PRESENCE_AUTH_TIMEOUT_MS=0 is not a time in milliseconds/),
    ])
  })
})
