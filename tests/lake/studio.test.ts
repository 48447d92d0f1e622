// The project-level endpoints Sanity Studio asks for (metadata, grants, preferences, history,
// presence), over real HTTP, including the HTTP/2 TLS listener the Studio uses.
import http2 from 'node:http2'
import net from 'node:net'
import tls from 'node:tls'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, lakeRequest, removeTempDirs, spawnLake, stopAllLakes, type Json, type SpawnedLake} from '../helpers/lake'

let lake: SpawnedLake

beforeAll(async () => {
  lake = await spawnLake({tls: true})
}, 30_000)

afterAll(async () => {
  await lake?.stop()
  await stopAllLakes()
  removeTempDirs()
})

const api = (method: string, pathname: string, options?: Parameters<typeof lakeRequest>[3]) => lakeRequest(lake, method, pathname, options)

describe('who the editor is', () => {
  it('users/me is the local editor for the token holder and empty for anonymous callers', async () => {
    const me = await api('GET', '/v2026-05-04/users/me')
    expect(me.status).toBe(200)
    expect(me.json).toMatchObject({id: 'local-lake-user', role: 'administrator'})
    expect((await api('GET', '/v2026-05-04/users/me', {token: null})).json).toEqual({})
    expect((await api('GET', '/v2026-05-04/users/me', {token: 'wrong'})).status).toBe(401)
  })

  it('users/<ids> resolves the local editor and nobody else', async () => {
    const users = await api('GET', '/v2021-06-07/users/local-lake-user,someone-else')
    expect(users.json).toEqual([expect.objectContaining({id: 'local-lake-user', displayName: expect.any(String)})])
  })

  it('auth/id and auth/providers answer without any login provider', async () => {
    expect((await api('GET', '/v1/auth/id')).json).toEqual({id: 'local-lake-user'})
    expect((await api('GET', '/v1/auth/id', {token: null})).status).toBe(401)
    // One pseudo-provider whose page explains the token login (instead of "No login providers available").
    const providers = (await api('GET', '/v1/auth/providers', {token: null})).json as {providers: Array<{url: string; title: string}>}
    expect(providers.providers).toHaveLength(1)
    expect(providers.providers[0].title).toContain('npm run dev')
    const page = await api('GET', providers.providers[0].url, {token: null})
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(page.text).toContain('/__lake-login/')
  })
})

describe('project, dataset and grants', () => {
  it('projects/local, its datasets and the dataset ACL', async () => {
    const project = await api('GET', '/v2021-12-15/projects/local')
    expect(project.json).toMatchObject({id: 'local', members: [expect.objectContaining({id: 'local-lake-user', isCurrentUser: true})]})
    expect((await api('GET', '/v2021-12-15/projects/local/datasets')).json).toEqual([expect.objectContaining({name: 'production'})])
    // No comments add-on dataset: the Studio then turns comments off.
    expect((await api('GET', '/v2025-02-19/projects/local/datasets?datasetProfile=comments&addonFor=production')).json).toEqual([])
    const acl = await api('GET', '/v2021-06-07/projects/local/datasets/production/acl')
    expect(acl.json).toEqual([{filter: '_id in path("**")', permissions: ['read', 'create', 'history', 'update']}])
    expect((await api('GET', '/v2025-02-19/projects/local/user-applications')).json).toEqual([])
  })

  it('other projects and datasets are 404s, and metadata needs the token', async () => {
    expect((await api('GET', '/v2021-12-15/projects/elsewhere')).status).toBe(404)
    expect((await api('GET', '/v2021-06-07/projects/local/datasets/staging/acl')).status).toBe(404)
    expect((await api('GET', '/v2021-12-15/projects/local', {token: null})).status).toBe(401)
    expect((await api('GET', '/v2021-06-07/projects/local/datasets/production/acl', {token: null})).status).toBe(401)
  })

  it('the hosted /projects/<id>/data/… path style still reaches the data API', async () => {
    const res = await api('GET', '/v1/projects/local/data/query/production?query=count(*)')
    expect(res.status).toBe(200)
    expect((res.json as Json).result).toEqual(expect.any(Number))
  })
})

describe('product endpoints the Studio calls, answered as "nothing here"', () => {
  it('features, journeys, schedules, telemetry, version check, schema descriptors', async () => {
    expect((await api('GET', '/v2025-02-19/features')).json).toEqual([])
    expect((await api('GET', '/v2023-12-11/journey/trial?studioVersion=5')).json).toBeNull()
    expect((await api('GET', '/v2025-02-19/journey/content-releases')).json).toBeNull()
    expect((await api('GET', '/v2025-02-19/schedules/local/production?limit=1')).json).toEqual({schedules: []})
    expect((await api('GET', '/v2023-12-18/intake/telemetry-status')).json).toEqual({status: 'denied'})
    expect((await api('POST', '/v2023-12-18/intake/batch', {body: [{event: 'x'}]})).status).toBe(204)
    expect((await api('GET', '/v1/help?m=sanity@5.0.0')).status).toBe(200)
    const ping = await fetch(`${lake.url}/v2025-02-19/data/ping/production`)
    expect(ping.status).toBe(200)
    expect(ping.headers.get('x-sanity-shard')).toBe('local')
    expect((await api('POST', '/v2025-02-19/descriptors/claim', {body: {descriptorId: 'x'}})).json).toEqual({synchronization: {type: 'complete'}})
  })

  it('users/me/keyvalue keeps the editor\'s Studio preferences', async () => {
    expect((await api('GET', '/v2025-02-19/users/me/keyvalue/studio.a,studio.b')).json).toEqual([
      {key: 'studio.a', value: null},
      {key: 'studio.b', value: null},
    ])
    const put = await api('PUT', '/v2025-02-19/users/me/keyvalue', {body: [{key: 'studio.a', value: {layout: 'compact'}}]})
    expect(put.json).toEqual([{key: 'studio.a', value: {layout: 'compact'}}])
    expect((await api('GET', '/v2025-02-19/users/me/keyvalue/studio.a')).json).toEqual([{key: 'studio.a', value: {layout: 'compact'}}])
    expect((await api('GET', '/v2025-02-19/users/me/keyvalue/studio.a', {token: null})).status).toBe(401)
    expect((await api('PUT', '/v2025-02-19/users/me/keyvalue', {body: [{nokey: 1}]})).status).toBe(400)
  })
})

describe('history', () => {
  // The revisions themselves: tests/lake/history.test.ts.
  it('answers events, transactions and documents at their current revision', async () => {
    const client = lakeClient(lake)
    const doc = await client.create({_id: 'hist', _type: 'article', headline: 'h'})
    const events = (await api('GET', '/v2025-02-19/data/history/production/events/documents/hist?limit=50')).json as {events: {hist: Array<{type: string}>}; nextCursor: string}
    expect(events).toMatchObject({events: {hist: [{type: 'createDocumentVersion'}]}, nextCursor: ''})
    const tx = await api('GET', '/v2025-02-19/data/history/production/transactions/hist,drafts.hist?excludeContent=true')
    expect(tx.status).toBe(200)
    expect(tx.headers.get('content-type')).toContain('ndjson')
    expect(tx.text.trim().split('\n').map((line) => JSON.parse(line).id)).toEqual([doc._rev])
    const last = await api('GET', '/v2025-02-19/data/history/production/documents/hist,drafts.hist?lastRevision=true')
    expect(last.json).toEqual({documents: [doc]})
    expect((await api('GET', `/v2025-02-19/data/history/production/documents/hist?revision=${doc._rev}`)).json).toEqual({documents: [doc]})
    expect((await api('GET', '/v2025-02-19/data/history/production/documents/hist?revision=older')).json).toEqual({documents: []})
    expect((await api('GET', '/v2025-02-19/data/history/production/events/documents/hist', {token: null})).status).toBe(401)
    expect((await api('GET', '/v2025-02-19/data/history/staging/events/documents/hist')).status).toBe(404)
  })
})

/** A minimal WebSocket client (masked text frames), enough to speak the Studio's presence protocol. */
interface TestSocket {
  status: string
  messages: Json[]
  closeCode: () => number | null
  send(message: Json): void
  next(predicate: (m: Json) => boolean): Promise<Json>
  end(): void
}

function openSocket(path: string, options: {tls?: boolean} = {}): Promise<TestSocket> {
  const {port} = new URL(options.tls ? lake.tlsUrl! : lake.url)
  return new Promise((resolve, reject) => {
    // Over TLS the browser opens a separate HTTP/1.1 connection for a WebSocket; ALPN says so.
    const socket = options.tls
      ? tls.connect({port: Number(port), host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: ['http/1.1']})
      : net.connect(Number(port), '127.0.0.1')
    let buffer = Buffer.alloc(0)
    let status = ''
    let closeCode: number | null = null
    const messages: Json[] = []
    const waiters: Array<() => void> = []
    const api: TestSocket = {
      get status() {
        return status
      },
      messages,
      closeCode: () => closeCode,
      send(message) {
        const payload = Buffer.from(JSON.stringify(message))
        const mask = Buffer.from([1, 2, 3, 4])
        const header = payload.length < 126 ? Buffer.from([0x81, 0x80 | payload.length]) : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 255])
        const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i & 3]))
        socket.write(Buffer.concat([header, mask, masked]))
      },
      next(predicate) {
        return new Promise((resolveNext, rejectNext) => {
          const timer = setTimeout(() => rejectNext(new Error(`no matching message; got ${JSON.stringify(messages)}`)), 3000)
          const check = () => {
            const found = messages.find(predicate)
            if (!found) return false
            clearTimeout(timer)
            messages.splice(messages.indexOf(found), 1)
            resolveNext(found)
            return true
          }
          if (!check()) waiters.push(() => void check())
        })
      },
      end: () => socket.destroy(),
    }
    socket.on(options.tls ? 'secureConnect' : 'connect', () =>
      socket.write(
        [`GET ${path} HTTP/1.1`, `Host: 127.0.0.1:${port}`, 'Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', '', ''].join('\r\n'),
      ),
    )
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk])
      if (!status) {
        const end = buffer.indexOf('\r\n\r\n')
        if (end < 0) return
        status = buffer.subarray(0, end).toString('utf8')
        buffer = buffer.subarray(end + 4)
        resolve(api)
      }
      while (buffer.length >= 2) {
        const opcode = buffer[0] & 0x0f
        let length = buffer[1] & 0x7f
        let offset = 2
        if (length === 126) {
          length = buffer.readUInt16BE(2)
          offset = 4
        }
        if (buffer.length < offset + length) return
        const payload = buffer.subarray(offset, offset + length)
        buffer = buffer.subarray(offset + length)
        if (opcode === 0x8) closeCode = payload.readUInt16BE(0)
        else if (opcode === 0x1 && payload.toString('utf8') !== '\u2665') messages.push(JSON.parse(payload.toString('utf8')) as Json)
        for (const waiter of waiters.splice(0)) waiter()
      }
    })
    socket.on('error', reject)
  })
}

describe('presence socket', () => {
  it('speaks the Studio\'s JSON-RPC presence protocol over a WebSocket, after authorization', async () => {
    const a = await openSocket('/v2022-06-30/socket/production?tag=sanity.studio')
    const b = await openSocket('/v2022-06-30/socket/production?tag=sanity.studio')
    try {
      expect(a.status).toMatch(/^HTTP\/1\.1 101 /)
      expect(a.status).toContain('Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
      a.send({jsonrpc: '2.0', id: 'early', method: 'presence_subscribe', params: {}})
      expect((await a.next((m) => m.id === 'early')).error).toMatchObject({code: 4001})

      for (const s of [a, b]) {
        s.send({jsonrpc: '2.0', id: 'auth', method: 'authorization', params: {authorization: `Bearer ${lake.token}`, apiVersion: 'v1'}})
        expect(await s.next((m) => m.id === 'auth')).toMatchObject({result: true})
      }
      a.send({jsonrpc: '2.0', id: 'sub', method: 'presence_subscribe', params: {apiVersion: 'v1'}})
      const subscription = (await a.next((m) => m.id === 'sub')).result
      expect(subscription).toEqual(expect.any(String))

      b.send({jsonrpc: '2.0', id: 'ann', method: 'presence_announce', params: {data: {sessionId: 'tab-b', locations: [{type: 'document', documentId: 'x'}]}}})
      await b.next((m) => m.id === 'ann')
      const state = await a.next((m) => m.method === 'presence_subscription')
      expect(state.params).toEqual({subscription, result: {type: 'state', i: 'local-lake-user', m: {sessionId: 'tab-b', locations: [{type: 'document', documentId: 'x'}]}}})

      // A tab that goes away is announced as disconnected.
      b.end()
      const gone = await a.next((m) => m.method === 'presence_subscription')
      expect((gone.params as Json).result).toEqual({type: 'disconnect', i: 'local-lake-user', m: {session: 'tab-b'}})
    } finally {
      a.end()
      b.end()
    }
  })

  it('works on the TLS listener too (HTTP/1.1 upgrade next to HTTP/2)', async () => {
    const s = await openSocket('/v2022-06-30/socket/production', {tls: true})
    try {
      expect(s.status).toMatch(/^HTTP\/1\.1 101 /)
      s.send({jsonrpc: '2.0', id: 'auth', method: 'authorization', params: {authorization: `Bearer ${lake.token}`}})
      expect(await s.next((m) => m.id === 'auth')).toMatchObject({result: true})
    } finally {
      s.end()
    }
  })

  it('closes a socket that authorizes with the wrong token, and refuses other paths and plain requests', async () => {
    const s = await openSocket('/v2022-06-30/socket/production')
    s.send({jsonrpc: '2.0', id: 1, method: 'authorization', params: {authorization: 'Bearer wrong'}})
    await expect.poll(() => s.closeCode(), {timeout: 3000}).toBe(4001)
    s.end()
    expect((await openSocket('/v2022-06-30/socket/staging')).status).toMatch(/^HTTP\/1\.1 404 /)
    expect((await openSocket('/v2022-06-30/data/listen/production')).status).toMatch(/^HTTP\/1\.1 404 /)
    const plain = await fetch(`${lake.url}/v2022-06-30/socket/production`, {headers: {authorization: `Bearer ${lake.token}`}})
    expect(plain.status).toBe(501)
  })
})

describe('over HTTP/2 (what the Studio uses)', () => {
  it('serves the metadata endpoints on the TLS listener', async () => {
    const session = http2.connect(lake.tlsUrl!, {rejectUnauthorized: false})
    try {
      const get = (path: string) =>
        new Promise<{status: number; body: string}>((resolve, reject) => {
          const req = session.request({':path': path, authorization: `Bearer ${lake.token}`})
          let status = 0
          let body = ''
          req.on('response', (headers) => (status = Number(headers[':status'])))
          req.setEncoding('utf8')
          req.on('data', (chunk: string) => (body += chunk))
          req.on('end', () => resolve({status, body}))
          req.on('error', reject)
          req.end()
        })
      const acl = await get('/v2021-06-07/projects/local/datasets/production/acl')
      expect(acl.status).toBe(200)
      expect(JSON.parse(acl.body)).toHaveLength(1)
      expect(JSON.parse((await get('/v2025-02-19/users/me')).body)).toMatchObject({id: 'local-lake-user'})
    } finally {
      session.close()
    }
  })
})
