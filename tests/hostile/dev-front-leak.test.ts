// The dev front must not leak connections to the lake: a browser closing a listener (resetting its
// HTTP/2 stream, closing its session, dropping an HTTP/1.1 socket) or a presence WebSocket closes the
// front's upstream request too, and an upstream that hangs up closes the browser's side. Before, every
// cancelled listener stayed open on the lake until its cap (128 per token) answered 429 and the
// Studio showed "Trying to connect…".
//
// And concurrent `sanity dev` runs do not share one Vite dependency cache (src/dev/viteCache.ts).
//
// The real `npm run dev` (lake + `sanity dev` + site + front, one process) on a fresh lake; the lake's
// open connections are counted from /proc/net/tcp (established sockets on its port).
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import http2 from 'node:http2'
import net from 'node:net'
import path from 'node:path'
import {randomBytes} from 'node:crypto'
import tls from 'node:tls'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {exposurePolicy} from '../../src/dev/exposure'
import {startFront, type RunningFront} from '../../src/dev/front'
import {loadOrCreateCertificate} from '../../src/lake/tls'
import {startDev, stopDev, type Dev} from '../e2e/harness'
import {makeTempDir, REPO_ROOT, removeTempDirs} from '../helpers/lake'

/** More than the lake's default cap of listeners per token (128, LAKE_MAX_LISTENERS). */
const N = 200
const LISTEN = '/v2021-06-07/data/listen/production?query=*&includeResult=false'
/** The lake closes a presence socket that has not authorized by then; short, to see that close reach the client. */
const PRESENCE_AUTH_TIMEOUT_MS = 1500

let dev: Dev
let frontPort: number
let lakePort: number
let baseline: number

/** Established TCP connections whose local end is the lake's port (IPv4 loopback: the lake listens on 127.0.0.1). */
function lakeConnections(): number {
  const port = `:${lakePort.toString(16).toUpperCase().padStart(4, '0')}`
  let count = 0
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const [, local, , state] = line.trim().split(/\s+/)
    if (local?.endsWith(port) && state === '01') count++
  }
  return count
}

/** Polls until the lake's connections are back to at most `limit`; returns the last count. */
async function settleTo(limit: number, withinMs = 5000): Promise<number> {
  const deadline = Date.now() + withinMs
  let count = lakeConnections()
  while (count > limit && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    count = lakeConnections()
  }
  return count
}

/** Opens a listener on `session`, waits for its status and (when 200) its first event, then returns both. */
function openListener(session: http2.ClientHttp2Session): Promise<{status: number; stream: http2.ClientHttp2Stream}> {
  const stream = session.request({
    ':path': LISTEN,
    ':authority': `local.localhost:${frontPort}`,
    authorization: `Bearer ${dev.token}`,
    accept: 'text/event-stream',
  })
  stream.end()
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('listen through the front: no answer within 10 s')), 10_000)
    stream.once('error', reject)
    stream.once('response', (headers) => {
      const status = Number(headers[':status'])
      if (status !== 200) {
        clearTimeout(timer)
        stream.resume()
        return resolve({status, stream})
      }
      // The lake's "welcome" event: the listener is registered on the lake by now.
      stream.once('data', () => {
        clearTimeout(timer)
        resolve({status, stream})
      })
    })
  })
}

function connectH2(): http2.ClientHttp2Session {
  const session = http2.connect(`https://127.0.0.1:${frontPort}`, {rejectUnauthorized: false})
  session.on('error', () => {})
  return session
}

/** A TLS socket to the front speaking HTTP/1.1, after `request` was written and the status line came back. */
function openHttp1(request: string): Promise<{socket: tls.TLSSocket; head: string}> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({host: '127.0.0.1', port: frontPort, rejectUnauthorized: false, ALPNProtocols: ['http/1.1']}, () => socket.write(request))
    let received = ''
    socket.setEncoding('latin1')
    socket.setTimeout(10_000, () => socket.destroy(new Error(`HTTP/1.1 through the front: no answer within 10 s to ${request.split('\r\n')[0]}`)))
    const onData = (chunk: string) => {
      received += chunk
      if (!received.includes('\r\n\r\n')) return
      socket.off('data', onData)
      socket.setTimeout(0)
      resolve({socket, head: received})
    }
    socket.on('data', onData)
    socket.on('error', reject)
  })
}

function presenceUpgrade(): string {
  const host = `local.localhost:${frontPort}`
  return (
    `GET /v2025-02-19/socket/production HTTP/1.1\r\nHost: ${host}\r\nOrigin: https://${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
    `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  )
}

const previousAuthTimeout = process.env.LAKE_PRESENCE_AUTH_TIMEOUT_MS

beforeAll(async () => {
  // The harness passes this process's environment on to npm run dev, and so to its lake.
  process.env.LAKE_PRESENCE_AUTH_TIMEOUT_MS = String(PRESENCE_AUTH_TIMEOUT_MS)
  dev = await startDev(makeTempDir('dev-front-leak-'))
  frontPort = Number(new URL(dev.origin).port)
  lakePort = Number(new URL(dev.lakeUrl).port)
  // The site (in the same process) may hold a connection or two of its own; let start-up settle.
  await new Promise((resolve) => setTimeout(resolve, 1000))
  baseline = lakeConnections()
}, 200_000)

afterAll(async () => {
  if (previousAuthTimeout === undefined) delete process.env.LAKE_PRESENCE_AUTH_TIMEOUT_MS
  else process.env.LAKE_PRESENCE_AUTH_TIMEOUT_MS = previousAuthTimeout
  await stopDev(dev)
  removeTempDirs()
})

describe('npm run dev: a browser closing a listener closes it on the lake', () => {
  it(`${N} listeners opened and reset (RST_STREAM) one after another on one HTTP/2 session never reach the cap`, async () => {
    const session = connectH2()
    try {
      for (let i = 0; i < N; i++) {
        const {status, stream} = await openListener(session)
        expect(status, `listener ${i + 1} of ${N}`).toBe(200)
        stream.close(http2.constants.NGHTTP2_CANCEL)
      }
    } finally {
      session.destroy()
    }
    expect(await settleTo(baseline + 2)).toBeLessThanOrEqual(baseline + 2)
  })

  it(`${N} listeners whose HTTP/2 session is closed under them never reach the cap`, async () => {
    for (let i = 0; i < N; i++) {
      const session = connectH2()
      const {status} = await openListener(session)
      expect(status, `listener ${i + 1} of ${N}`).toBe(200)
      session.destroy()
    }
    expect(await settleTo(baseline + 2)).toBeLessThanOrEqual(baseline + 2)
  })

  it('listeners over HTTP/1.1 whose socket is dropped never reach the cap', async () => {
    const request = `GET ${LISTEN} HTTP/1.1\r\nHost: local.localhost:${frontPort}\r\nAuthorization: Bearer ${dev.token}\r\nAccept: text/event-stream\r\n\r\n`
    for (let i = 0; i < 140; i++) {
      const {socket, head} = await openHttp1(request)
      expect(head.split('\r\n')[0], `listener ${i + 1}`).toBe('HTTP/1.1 200 OK')
      socket.destroy()
    }
    expect(await settleTo(baseline + 2)).toBeLessThanOrEqual(baseline + 2)
  })

  it('open listeners hold one lake connection each while open, and let go of them when reset', async () => {
    const session = connectH2()
    try {
      const open = []
      for (let i = 0; i < 20; i++) open.push((await openListener(session)).stream)
      // Counted while they are open (idle keep-alive connections come and go, so not against the baseline):
      // the counts above can fall, so the measure itself is shown to work.
      expect(lakeConnections()).toBeGreaterThanOrEqual(20)
      for (const stream of open) stream.close(http2.constants.NGHTTP2_CANCEL)
      expect(await settleTo(baseline + 2)).toBeLessThanOrEqual(baseline + 2)
    } finally {
      session.destroy()
    }
  })
})

describe('npm run dev: the presence WebSocket is closed on both sides together', () => {
  it('a browser dropping its socket closes the one to the lake', async () => {
    const sockets: tls.TLSSocket[] = []
    try {
      for (let i = 0; i < 20; i++) {
        const {socket, head} = await openHttp1(presenceUpgrade())
        sockets.push(socket)
        expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols')
      }
      expect(lakeConnections()).toBeGreaterThanOrEqual(20)
    } finally {
      for (const socket of sockets) socket.destroy()
    }
    expect(await settleTo(baseline + 2)).toBeLessThanOrEqual(baseline + 2)
  })

  it('the lake closing the socket closes the browser side', async () => {
    const {socket, head} = await openHttp1(presenceUpgrade())
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 101 Switching Protocols')
    const started = Date.now()
    // Not authorized: the lake sends its close frame (4001) after PRESENCE_AUTH_TIMEOUT_MS and hangs up.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the browser side stayed open after the lake closed the presence socket')), PRESENCE_AUTH_TIMEOUT_MS + 5000)
      socket.on('close', () => {
        clearTimeout(timer)
        resolve()
      })
      socket.resume()
    })
    expect(Date.now() - started).toBeGreaterThanOrEqual(PRESENCE_AUTH_TIMEOUT_MS - 200)
    expect(await settleTo(baseline + 2)).toBeLessThanOrEqual(baseline + 2)
  })

  it('the Studio still loads and the lake still answers through the front afterwards', async () => {
    const session = connectH2()
    const {status, stream} = await openListener(session)
    expect(status).toBe(200)
    stream.close(http2.constants.NGHTTP2_CANCEL)
    session.destroy()
    const page = await fetchH1('/')
    expect(page.status).toBe(200)
    expect(page.body).toContain('/@vite/client')
  })
})

function fetchH1(target: string): Promise<{status: number; body: string}> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        createConnection: () => tls.connect({host: '127.0.0.1', port: frontPort, rejectUnauthorized: false, ALPNProtocols: ['http/1.1']}),
        path: target,
        headers: {host: `local.localhost:${frontPort}`},
      },
      (res) => {
        let body = ''
        res.setEncoding('utf8').on('data', (c: string) => (body += c))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body}))
      },
    )
    req.on('error', reject)
    req.end()
  })
}

// An upstream that hangs up mid-answer: a real server that does exactly that, behind the real front.
describe('the front closes the browser side when the upstream hangs up mid-answer', () => {
  let front: RunningFront
  let upstream: net.Server

  beforeAll(async () => {
    upstream = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n7\r\n: open\n\r\n')
        setTimeout(() => socket.destroy(), 100)
      })
    })
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${(upstream.address() as net.AddressInfo).port}`
    const dir = makeTempDir('dev-front-upstream-')
    const {cert, key} = await loadOrCreateCertificate(dir)
    front = await startFront({port: 0, cert, key, lakeUrl: url, studioUrl: url, exposure: exposurePolicy(REPO_ROOT, dir)})
  })

  afterAll(async () => {
    await front?.close()
    await new Promise((resolve) => upstream?.close(resolve))
  })

  it('over HTTP/2: the stream is reset, not left open or ended as if complete', async () => {
    const session = http2.connect(`https://127.0.0.1:${front.port}`, {rejectUnauthorized: false})
    session.on('error', () => {})
    try {
      const stream = session.request({':path': LISTEN, ':authority': `local.localhost:${front.port}`})
      stream.end()
      const outcome = await new Promise<string>((resolve) => {
        const timer = setTimeout(() => resolve('still open after 5 s'), 5000)
        stream.on('response', (headers) => expect(headers[':status']).toBe(200))
        stream.resume()
        stream.on('end', () => resolve('ended cleanly'))
        stream.on('error', () => resolve('reset'))
        stream.on('close', () => {
          clearTimeout(timer)
          resolve(stream.rstCode !== http2.constants.NGHTTP2_NO_ERROR ? 'reset' : 'ended cleanly')
        })
      })
      expect(outcome).toBe('reset')
    } finally {
      session.destroy()
    }
  })

  it('over HTTP/1.1: the socket is closed', async () => {
    const {socket, head} = await new Promise<{socket: tls.TLSSocket; head: string}>((resolve, reject) => {
      const s = tls.connect({host: '127.0.0.1', port: front.port, rejectUnauthorized: false, ALPNProtocols: ['http/1.1']}, () =>
        s.write(`GET ${LISTEN} HTTP/1.1\r\nHost: local.localhost:${front.port}\r\n\r\n`),
      )
      s.setEncoding('latin1')
      s.once('data', (chunk: string) => resolve({socket: s, head: chunk}))
      s.on('error', reject)
    })
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 200 OK')
    let rest = head
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 5000)
      socket.on('data', (chunk: string) => (rest += chunk))
      socket.on('close', () => {
        clearTimeout(timer)
        resolve(true)
      })
    })
    expect(closed).toBe(true)
    // Closed without the last chunk: the browser sees a broken answer, not a complete one.
    expect(rest).not.toMatch(/\r\n0\r\n\r\n$/)
  })
})

// Each "run" is a real process calling what sanity.cli.ts calls, on a project directory of its own.
describe('concurrent sanity dev runs each get a Vite cache of their own', () => {
  const VITE_CACHE = path.join(REPO_ROOT, 'src/dev/viteCache.ts')

  interface Run {
    pid: number
    cacheDir: string
    exited: Promise<void>
  }

  /** A process that picks its cache directory, prints it and stays alive for `holdMs`. */
  function startRun(root: string, holdMs: number): Promise<Run> {
    const script = `import {viteCacheDirForRun} from ${JSON.stringify(VITE_CACHE)}\nconsole.log(viteCacheDirForRun(${JSON.stringify(root)}))\nsetTimeout(() => {}, ${holdMs})\n`
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe']})
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    return new Promise((resolve, reject) => {
      let out = ''
      let err = ''
      child.stderr!.setEncoding('utf8').on('data', (c: string) => (err += c))
      child.stdout!.setEncoding('utf8').on('data', (c: string) => {
        out += c
        if (out.includes('\n')) resolve({pid: child.pid!, cacheDir: out.trim(), exited})
      })
      child.once('exit', (code) => reject(new Error(`run exited (${code}) before naming its cache: ${err}`)))
    })
  }

  function warmCache(root: string): string {
    const deps = path.join(root, 'node_modules/.sanity/vite/deps')
    fs.mkdirSync(deps, {recursive: true})
    fs.writeFileSync(path.join(deps, 'sanity.js'), 'export default 1\n')
    fs.writeFileSync(path.join(deps, '_metadata.json'), JSON.stringify({hash: 'h', optimized: {sanity: {file: 'sanity.js'}}}))
    return path.join(root, 'node_modules/.sanity/vite')
  }

  it('the first run uses the shared cache, a second one a warm copy, and both leave nothing behind', async () => {
    const root = makeTempDir('vite-cache-')
    const shared = warmCache(root)
    const first = await startRun(root, 2500)
    const second = await startRun(root, 500)
    expect(first.cacheDir).toBe(shared)
    expect(second.cacheDir).toBe(`${shared}-run-${second.pid}`)
    expect(fs.readFileSync(path.join(second.cacheDir, 'deps/sanity.js'), 'utf8')).toBe('export default 1\n')
    expect(fs.readFileSync(`${shared}.lock`, 'utf8').trim()).toBe(String(first.pid))
    await second.exited
    expect(fs.existsSync(second.cacheDir)).toBe(false)
    await first.exited
    expect(fs.readdirSync(path.dirname(shared)).sort()).toEqual(['vite'])
  })

  it('a run killed while holding the shared cache does not keep the next one out of it', async () => {
    const root = makeTempDir('vite-cache-')
    const shared = warmCache(root)
    const killed = await startRun(root, 60_000)
    process.kill(killed.pid, 'SIGKILL')
    await killed.exited
    fs.mkdirSync(`${shared}-run-${killed.pid}`)
    const next = await startRun(root, 0)
    expect(next.cacheDir).toBe(shared)
    await next.exited
    expect(fs.readdirSync(path.dirname(shared)).sort()).toEqual(['vite'])
  })
})
