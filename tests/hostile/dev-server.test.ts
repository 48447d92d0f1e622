// Issue 8, items 1 and 12 (dev server): `npm run dev` must not serve the lake's token, its drafts
// or any other private file under the project, neither on its HTTPS front nor on Vite's private
// port, and the front answers only to loopback host names (DNS rebinding).
//
// The real `npm run dev` (lake + `sanity dev` + front), with its lake directory INSIDE the project
// as the default `.lake/` is: `.lake-test-<random>/` (git-ignored by `.lake-*/`), removed afterwards.
import {randomBytes} from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import http2 from 'node:http2'
import https from 'node:https'
import path from 'node:path'
import tls from 'node:tls'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {exposurePolicy, servedPathRefusal, viteFsDeny} from '../../src/dev/exposure'
import {startDev as startHarnessDev, stopDev, type Dev as HarnessDev} from '../e2e/harness'
import {lakeClient, REPO_ROOT} from '../helpers/lake'

const LAKE_NAME = `.lake-test-${randomBytes(6).toString('hex')}`
const LAKE_DIR = path.join(REPO_ROOT, LAKE_NAME)
/** A draft's text: it must never come back from the dev server, only from the lake's API. */
const MARKER = `draft-only-${randomBytes(8).toString('hex')}`

interface Dev extends HarnessDev {
  frontPort: number
  vitePort: number
  loginPath: string
}

async function startDev(): Promise<Dev> {
  // Relative, as the default `.lake` is: resolved against the project root.
  const dev = await startHarnessDev(LAKE_NAME)
  // Vite's banner, forwarded to stderr by npm run dev, names its private port.
  const vitePort = /running at http:\/\/127\.0\.0\.1:(\d+)/.exec(dev.output())?.[1]
  if (!vitePort) throw new Error(`npm run dev did not name Vite's port:\n${dev.output()}`)
  const login = new URL(dev.loginUrl)
  return {...dev, frontPort: Number(login.port), vitePort: Number(vitePort), loginPath: login.pathname}
}

interface Answer {
  status: number
  type: string
  body: string
}

/** One HTTP/1.1 request with the path sent byte for byte (no normalisation, unlike fetch). */
function request(server: 'front' | 'vite', target: string, headers: Record<string, string> = {}): Promise<Answer> {
  const port = server === 'front' ? dev.frontPort : dev.vitePort
  const options = {
    host: '127.0.0.1',
    port,
    path: target,
    headers: {host: server === 'front' ? `local.localhost:${port}` : `localhost:${port}`, ...headers},
    agent: false as const,
    rejectUnauthorized: false,
    timeout: 15_000,
  }
  return new Promise((resolve, reject) => {
    const req = (server === 'front' ? https : http).request(options, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('latin1')}))
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`${server} ${target}: no answer within 15 s`)))
    req.on('error', reject)
    req.end()
  })
}

/** One HTTP/2 request to the front with the given :authority. */
function requestH2(target: string, authority: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`https://127.0.0.1:${dev.frontPort}`, {rejectUnauthorized: false})
    session.on('error', reject)
    const stream = session.request({':path': target, ':authority': authority})
    let status = 0
    let type = ''
    const chunks: Buffer[] = []
    stream.on('response', (headers) => {
      status = Number(headers[':status'])
      type = String(headers['content-type'] ?? '')
    })
    stream.on('data', (c: Buffer) => chunks.push(c))
    stream.on('end', () => {
      session.close()
      resolve({status, type, body: Buffer.concat(chunks).toString('latin1')})
    })
    stream.on('error', reject)
    stream.end()
  })
}

/** A WebSocket handshake over TLS to the front, as Vite's client makes it; resolves with the status line. */
function upgradeStatus(target: string, host: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({host: '127.0.0.1', port: dev.frontPort, rejectUnauthorized: false, ALPNProtocols: ['http/1.1']}, () => {
      socket.write(
        `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Origin: https://${host}\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n` +
          'Sec-WebSocket-Protocol: vite-hmr\r\n\r\n',
      )
    })
    let received = ''
    socket.setEncoding('utf8')
    socket.setTimeout(10_000, () => socket.destroy(new Error(`upgrade ${target}: no answer within 10 s`)))
    socket.on('data', (c: string) => {
      received += c
      if (received.includes('\r\n')) {
        socket.destroy()
        resolve(received.split('\r\n')[0])
      }
    })
    socket.on('error', reject)
    socket.on('close', () => resolve(received.split('\r\n')[0]))
  })
}

let dev: Dev

beforeAll(async () => {
  dev = await startDev()
  // A draft, so that the log holds text that only the token may read.
  await lakeClient({url: dev.lakeUrl, token: dev.token}).create({_id: `drafts.${MARKER}`, _type: 'article', headline: MARKER})
  const log = fs.readFileSync(path.join(LAKE_DIR, 'transactions.ndjson'), 'utf8')
  expect(log).toContain(MARKER)
}, 150_000)

afterAll(async () => {
  await stopDev(dev)
  fs.rmSync(LAKE_DIR, {recursive: true, force: true})
})

function hostilePaths(): string[] {
  const L = LAKE_NAME
  const rest = L.slice(1) // the name without its leading dot
  return [
    `/${L}/token`,
    `/${L}/transactions.ndjson`,
    `/${L}/tls-key.pem`,
    `/${L}/`,
    `/%2e${rest}/token`,
    `/%2E${rest}/transactions.ndjson`,
    `/%252e${rest}/token`,
    `/./${L}/token`,
    `/${L}/./token`,
    `//${L}/token`,
    `/${L}%2ftoken`,
    `/foo/../${L}/token`,
    `/foo/%2e%2e/${L}/token`,
    `/src/..%2f${L}/token`,
    `/node_modules/../${L}/token`,
    `/.sanity/../${L}/token`,
    `/node_modules/.sanity/../../${L}/token`,
    `/${L}/token?import`,
    `/${L}/token?raw`,
    `/${L}/token?url`,
    `/${L}/token?import&raw`,
    `/${L}/transactions.ndjson?raw`,
    `/@fs${LAKE_DIR}/token`,
    `/@fs${LAKE_DIR}/transactions.ndjson?raw`,
    `/@fs${REPO_ROOT}/${L}/token?import`,
    `/@id/${LAKE_DIR}/token`,
    `/@id/${LAKE_DIR}/token?raw`,
    `/@id/__x00__${LAKE_DIR}/token`,
    `/.git/config`,
    `/.git/HEAD?raw`,
    `/.env`,
    `/.gitignore?raw`,
    `/@fs/etc/passwd`,
    `/@fs/etc/passwd?raw`,
    `/@id//etc/passwd?raw`,
  ]
}

function assertRefused(server: string, target: string, answer: Answer): void {
  const where = `${server} ${target} → ${answer.status} ${answer.type}`
  expect(answer.status, where).not.toBe(200)
  expect(answer.status, where).toBeGreaterThanOrEqual(400)
  expect(answer.status, where).toBeLessThan(500)
  expect(answer.body, where).not.toContain(dev.token)
  expect(answer.body, where).not.toContain(MARKER)
  expect(answer.body, where).not.toContain('PRIVATE KEY')
  expect(answer.body, where).not.toContain('root:x:0:0')
  expect(answer.body, where).not.toContain('[core]')
}

describe('npm run dev serves no private file (issue 8, item 1)', () => {
  it('refuses every encoding of the lake directory and dotfiles on the front, in plain text', async () => {
    for (const target of hostilePaths()) {
      const answer = await request('front', target)
      assertRefused('front', target, answer)
      expect(answer.type, `front ${target}`).toMatch(/^text\/plain/)
    }
  })

  it("refuses the same on Vite's private port", async () => {
    for (const target of hostilePaths()) assertRefused('vite', target, await request('vite', target))
  })

  it('refuses them over HTTP/2 too', async () => {
    for (const target of [`/${LAKE_NAME}/token`, `/@fs${LAKE_DIR}/token?raw`, `/%2e${LAKE_NAME.slice(1)}/transactions.ndjson`]) {
      assertRefused('front (h2)', target, await requestH2(target, `local.localhost:${dev.frontPort}`))
    }
  })

  it('still serves the Studio: the page, its runtime and its prebundled modules', async () => {
    const page = await request('front', '/')
    expect(page.status).toBe(200)
    expect(page.type).toMatch(/^text\/html/)
    expect(page.body).toContain('/@vite/client')
    const structure = await request('front', '/structure/article')
    expect(structure.status).toBe(200)
    const runtime = await request('front', '/.sanity/runtime/app.js')
    expect(runtime.status).toBe(200)
    expect(runtime.type).toMatch(/javascript/)
    const dep = /["'](\/node_modules\/\.sanity\/vite\/deps\/[^"'?]+)/.exec(runtime.body)?.[1]
    expect(dep, `no prebundled dependency imported by the runtime:\n${runtime.body.slice(0, 2000)}`).toBeDefined()
    const module = await request('front', dep!)
    expect(module.status, dep).toBe(200)
    expect(module.type).toMatch(/javascript/)
  })

  it('hands the token out only through the log-in link', async () => {
    const login = await request('front', dev.loginPath)
    expect(login.status).toBe(200)
    expect(login.body).toContain(dev.token)
    expect(dev.output()).not.toContain(dev.token)
  })
})

describe('npm run dev answers only to loopback host names (issue 8, item 12)', () => {
  it('refuses another Host on the front with 421 and a clear message, for pages, the API and the log-in link', async () => {
    for (const target of ['/', '/structure', dev.loginPath, '/v2025-02-19/users/me', '/v1/ping']) {
      for (const host of ['evil.example', `evil.example:${dev.frontPort}`, `local.localhost.evil.example:${dev.frontPort}`, `local.localhost:${dev.frontPort + 1}`]) {
        const answer = await request('front', target, {host})
        expect(answer.status, `${host} ${target}`).toBe(421)
        expect(answer.body, `${host} ${target}`).toMatch(/not served here.*local\.localhost/)
        expect(answer.body).not.toContain(dev.token)
      }
    }
  })

  it('refuses another :authority over HTTP/2', async () => {
    const answer = await requestH2('/', `evil.example:${dev.frontPort}`)
    expect(answer.status).toBe(421)
    expect(answer.body).toContain('not served here')
  })

  it("refuses a WebSocket upgrade naming another host, and passes Vite's hot-reload socket naming the front", async () => {
    const client = await request('front', '/@vite/client')
    const wsToken = /const wsToken = "([^"]+)"/.exec(client.body)?.[1]
    expect(wsToken, 'no wsToken in /@vite/client').toBeDefined()
    expect(await upgradeStatus(`/?token=${wsToken}`, `evil.example:${dev.frontPort}`)).toMatch(/^HTTP\/1\.1 421 /)
    expect(await upgradeStatus(`/?token=${wsToken}`, `local.localhost:${dev.frontPort}`)).toMatch(/^HTTP\/1\.1 101 /)
  })

  it('accepts every loopback name on its port', async () => {
    for (const host of [`local.localhost:${dev.frontPort}`, `localhost:${dev.frontPort}`, `127.0.0.1:${dev.frontPort}`, `[::1]:${dev.frontPort}`, `LOCAL.localhost:${dev.frontPort}`]) {
      const answer = await request('front', '/', {host})
      expect(answer.status, host).toBe(200)
    }
  })

  it("keeps Vite's own Host check on its private port", async () => {
    const answer = await request('vite', '/', {host: `evil.example:${dev.vitePort}`})
    expect(answer.status).toBe(403)
  })

  it('adds no CORS headers of its own for a foreign Origin', async () => {
    const answer = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
      https
        .get({host: '127.0.0.1', port: dev.frontPort, path: '/', headers: {host: `local.localhost:${dev.frontPort}`, origin: 'https://evil.example'}, rejectUnauthorized: false, agent: false}, (res) => {
          res.resume()
          resolve(res.headers)
        })
        .on('error', reject)
    })
    expect(answer['access-control-allow-origin']).toBeUndefined()
  })

  it('is still alive afterwards: the Studio page and the lake answer through the front', async () => {
    expect((await request('front', '/')).status).toBe(200)
    const started = Date.now()
    const ping = await request('front', '/v1/ping')
    expect(ping.status).toBe(200)
    expect(Date.now() - started).toBeLessThan(2000)
  })
})

describe('site.localhost on the front is the reader site and nothing else (issue 9)', () => {
  const siteHost = () => ({host: `site.localhost:${dev.frontPort}`})
  /** The site's own Arabic error page, not Vite's, the lake's or the Studio's answer. */
  const isSitePage = (answer: Answer) => answer.type.startsWith('text/html') && answer.body.includes('<html lang="ar" dir="rtl">')

  it('serves the site under site.localhost and the Studio under every other loopback name', async () => {
    const site = await request('front', '/', siteHost())
    expect(site.status).toBe(200)
    expect(isSitePage(site)).toBe(true)
    expect(site.body).not.toContain('/@vite/client')
    const studio = await request('front', '/')
    expect(studio.body).toContain('/@vite/client')
  })

  it("never reaches Vite's files, the lake or the log-in link", async () => {
    const targets = [...hostilePaths(), '/@vite/client', '/.sanity/runtime/app.js', '/sanity.config.ts', '/package.json', '/v1/ping', '/v2025-02-19/users/me', dev.loginPath]
    for (const target of targets) {
      const answer = await request('front', target, siteHost())
      assertRefused('front (site.localhost)', target, answer)
      expect(isSitePage(answer), `site.localhost ${target} → ${answer.status} ${answer.type}`).toBe(true)
      expect(answer.body).not.toContain('PONG')
    }
  })

  it('refuses one request that names the site by :authority and the Studio by Host', async () => {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const session = http2.connect(`https://127.0.0.1:${dev.frontPort}`, {rejectUnauthorized: false})
      session.on('error', reject)
      const stream = session.request({':path': '/@vite/client', ':authority': `site.localhost:${dev.frontPort}`, host: `local.localhost:${dev.frontPort}`})
      let status = 0
      const chunks: Buffer[] = []
      stream.on('response', (headers) => (status = Number(headers[':status'])))
      stream.on('data', (c: Buffer) => chunks.push(c))
      stream.on('end', () => {
        session.close()
        resolve({status, type: '', body: Buffer.concat(chunks).toString('utf8')})
      })
      stream.on('error', reject)
      stream.end()
    })
    expect(answer.status).toBe(421)
    expect(answer.body).toContain('name different hosts')
  })

  it('takes no WebSocket upgrade on site.localhost', async () => {
    const client = await request('front', '/@vite/client')
    const wsToken = /const wsToken = "([^"]+)"/.exec(client.body)?.[1]
    expect(await upgradeStatus(`/?token=${wsToken}`, `site.localhost:${dev.frontPort}`)).toMatch(/^HTTP\/1\.1 404 /)
  })
})

describe('a lake directory without a leading dot (LAKE_DIR=lake-data) is refused too', () => {
  const policy = exposurePolicy(REPO_ROOT, path.join(REPO_ROOT, 'lake-data'))

  it('by the rule the front and the Vite plugin share', () => {
    for (const target of ['/lake-data/token', '/Lake-Data/token', '/lake-data%2ftransactions.ndjson', `/@fs${REPO_ROOT}/lake-data/token?raw`, `/@id/${REPO_ROOT}/lake-data/token`, '/@id//lake-data/token', '/lake-data']) {
      expect(servedPathRefusal(target, policy)?.status, target).toBe(404)
    }
    // Names that merely contain it stay served: the Studio's own modules.
    for (const target of ['/src/lake-data/x.ts', '/lake-data.ts', '/.sanity/runtime/app.js', '/node_modules/.sanity/vite/deps/sanity.js?v=1', '/@id/__x00__plugin-vite:react-refresh']) {
      expect(servedPathRefusal(target, policy), target).toBeNull()
    }
  })

  it("by Vite's own server.fs.deny", () => {
    expect(viteFsDeny(policy)).toEqual(expect.arrayContaining([path.join(REPO_ROOT, 'lake-data'), `${path.join(REPO_ROOT, 'lake-data')}/**`]))
  })
})
