import {createHash, randomBytes} from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, removeTempDirs, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

// Uploads are streamed to a temporary file in $LAKE_DIR/assets (src/lake/uploadReceive.ts):
// memory stays flat however large the asset, refusals come before the body ends, and an
// upload cut off midway leaves no file behind.

const MB = 1024 * 1024
const SMALL_LIMIT = 1 * MB

let small: SpawnedLake

function uploadTemps(lake: SpawnedLake): string[] {
  const dir = path.join(lake.dir, 'assets')
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.endsWith('.tmp')) : []
}

function storedFiles(lake: SpawnedLake): string[] {
  const dir = path.join(lake.dir, 'assets', 'files')
  return fs.existsSync(dir) ? fs.readdirSync(dir) : []
}

function vmRss(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`)
  return Number(match[1]) * 1024
}

async function waitFor(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** A raw HTTP/1.1 upload whose body the test sends (or not) by hand. */
function rawUpload(lake: SpawnedLake, headers: Record<string, string>): {socket: net.Socket; response: Promise<{status: number; head: string; body: string}>; closed: Promise<void>} {
  const socket = net.connect(lake.port, '127.0.0.1')
  const lines = Object.entries({host: `127.0.0.1:${lake.port}`, authorization: `Bearer ${lake.token}`, ...headers}).map(([k, v]) => `${k}: ${v}`)
  socket.write(`POST /v2025-02-19/assets/files/production?filename=raw.bin HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`)
  let received = ''
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()))
  const response = new Promise<{status: number; head: string; body: string}>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('utf8')
      const end = received.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = received.slice(0, end)
      const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? 0)
      const body = received.slice(end + 4)
      if (Buffer.byteLength(body) >= length) resolve({status: Number(head.split(' ')[1]), head, body})
    })
    socket.on('error', () => undefined)
    void closed.then(() => reject(new Error(`connection closed before a whole response; got ${JSON.stringify(received.slice(0, 200))}`)))
  })
  response.catch(() => undefined)
  return {socket, response, closed}
}

beforeAll(async () => {
  small = await spawnLake({env: {LAKE_MAX_ASSET_BYTES: String(SMALL_LIMIT)}})
}, 30_000)

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

describe('streamed uploads', () => {
  it('stores a large upload with memory growth far below its size, and the exact bytes', async () => {
    const size = 128 * MB
    const lake = await spawnLake({env: {LAKE_MAX_ASSET_BYTES: String(2 * size)}})
    const body = randomBytes(size)
    const sha1 = createHash('sha1').update(body).digest('hex')
    const pid = lake.proc.pid!
    // Let start-up settle so that its allocations are not counted.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const before = vmRss(pid)
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, vmRss(pid))), 5)
    let doc: {_id: string; size: number; sha1hash: string}
    try {
      const res = await fetch(`${lake.url}/v2025-02-19/assets/files/production?filename=big.bin`, {method: 'POST', headers: {authorization: `Bearer ${lake.token}`}, body})
      expect(res.status).toBe(200)
      doc = ((await res.json()) as {document: typeof doc}).document
    } finally {
      clearInterval(sampler)
    }
    peak = Math.max(peak, vmRss(pid))
    const growth = peak - before
    // Held in memory, the body alone would be 128 MB (twice that while joined); streamed, it is
    // the chunks in flight and the garbage the collector has not yet taken (about 40 MB here).
    expect(growth, `RSS grew ${(growth / MB).toFixed(1)} MB`).toBeLessThan(size / 2)
    expect(doc.sha1hash).toBe(sha1)
    expect(doc.size).toBe(size)
    const stored = path.join(lake.dir, 'assets', 'files', `${sha1}.bin`)
    expect(fs.statSync(stored).mode & 0o777).toBe(0o600)
    expect(createHash('sha1').update(fs.readFileSync(stored)).digest('hex')).toBe(sha1)
    expect(uploadTemps(lake)).toEqual([])
    await lake.stop()
  }, 60_000)

  it('an upload cut off midway leaves no temporary file and no document', async () => {
    const {socket, closed} = rawUpload(small, {'content-length': String(SMALL_LIMIT - 1000)})
    socket.write(Buffer.alloc(300_000, 7))
    // Being written to disk as it arrives:
    await waitFor('the temporary upload file', () => uploadTemps(small).length === 1)
    const [temp] = uploadTemps(small)
    expect(fs.statSync(path.join(small.dir, 'assets', temp!)).mode & 0o777).toBe(0o600)
    socket.destroy()
    await closed
    await waitFor('the temporary upload file to be removed', () => uploadTemps(small).length === 0)
    expect(storedFiles(small)).toEqual([])
    expect(await lakeClient(small).fetch('count(*[_type == "sanity.fileAsset"])')).toBe(0)
    expect((await fetch(`${small.url}/v2025-02-19/ping`)).status).toBe(200)
  })

  it('answers 413 as soon as a chunked upload passes the limit, before its body ends', async () => {
    const {socket, response} = rawUpload(small, {'transfer-encoding': 'chunked'})
    let sent = 0
    let answered = false
    void response.then(
      () => (answered = true),
      () => (answered = true),
    )
    const chunk = Buffer.alloc(64 * 1024, 1)
    // Keeps sending (never the final chunk) until the lake answers, as fast as the socket takes it.
    // Read whole, the body would never end and no answer would come.
    while (!answered && sent < 16 * SMALL_LIMIT) {
      socket.write(`${chunk.length.toString(16)}\r\n`)
      socket.write(chunk)
      const flushed = socket.write('\r\n')
      sent += chunk.length
      const settled = response.then(() => undefined, () => undefined)
      await Promise.race([settled, new Promise((resolve) => (flushed ? setImmediate(resolve) : socket.once('drain', resolve)))])
    }
    const {status, head, body} = await response
    expect(status).toBe(413)
    expect(head).toMatch(/^connection: close$/im)
    expect(body).toContain('LAKE_MAX_ASSET_BYTES')
    socket.destroy()
    await waitFor('the temporary upload file to be removed', () => uploadTemps(small).length === 0)
    expect(storedFiles(small)).toEqual([])
  })

  it('answers 413 at once when Content-Length is over the limit, without reading the body', async () => {
    const {socket, response} = rawUpload(small, {'content-length': String(SMALL_LIMIT + 1)})
    const {status} = await response
    expect(status).toBe(413)
    socket.destroy()
    expect(uploadTemps(small)).toEqual([])
  })

  it('still stores uploads at the limit, de-duplicates them by sha1 and serves them whole', async () => {
    const client = lakeClient(small)
    const body = randomBytes(SMALL_LIMIT)
    const first = await client.assets.upload('file', body, {filename: 'exact.bin'})
    const again = await client.assets.upload('file', body, {filename: 'again.bin'})
    expect(again._id).toBe(first._id)
    expect(first.size).toBe(SMALL_LIMIT)
    expect(storedFiles(small)).toEqual([`${createHash('sha1').update(body).digest('hex')}.bin`])
    expect(uploadTemps(small)).toEqual([])
    // Served from the file as it is (streamed), and HEAD gives its length without it.
    const served = await fetch(first.url)
    expect(Buffer.from(await served.arrayBuffer()).equals(body)).toBe(true)
    const head = await fetch(first.url, {method: 'HEAD'})
    expect(head.headers.get('content-length')).toBe(String(SMALL_LIMIT))
    expect((await head.arrayBuffer()).byteLength).toBe(0)
  })

  it('removes upload files left by a lake stopped midway when it next takes an upload', async () => {
    const dir = small.dir
    await small.stop('SIGKILL')
    const leftover = path.join(dir, 'assets', '.upload-0123456789abcdef.tmp')
    fs.writeFileSync(leftover, 'half an upload', {mode: 0o600})
    small = await spawnLake({dir, env: {LAKE_MAX_ASSET_BYTES: String(SMALL_LIMIT)}})
    await lakeClient(small).assets.upload('file', Buffer.from('after a restart'), {filename: 'after.txt'})
    expect(fs.existsSync(leftover)).toBe(false)
    expect(uploadTemps(small)).toEqual([])
  }, 30_000)
})
