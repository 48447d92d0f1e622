import http from 'node:http'
import http2 from 'node:http2'
import net from 'node:net'
import type {AddressInfo, Socket} from 'node:net'
import type {Duplex} from 'node:stream'
import {sendRefusal, servedPathRefusal, type ExposurePolicy} from './exposure'
import {frontAppOf, hostRefusal, requestedAuthority, SITE_HOST_NAME} from './hosts'
import type {LoginLink} from './login'

/**
 * The one origin the editor opens: `https://local.localhost:<port>`, HTTP/2 over TLS.
 *
 * - `/v{apiVersion}/…` goes to the local lake, everything else to the Studio dev server.
 *   One origin means one certificate to accept, and the Studio finds its API on its own
 *   origin (sanity.config.ts → src/studio/lakeHost.ts), so no port is baked into the bundle.
 * - HTTP/2 because over HTTP/1.1 Chromium's six connections per host are used up by the
 *   Studio's open listeners and the document form never loads.
 * - WebSocket upgrades (Vite's hot reload, the Studio's presence socket) arrive over
 *   HTTP/1.1 and are passed through as raw sockets.
 * - Every request, upgrades included, must name a loopback host on this port (src/dev/hosts.ts);
 *   that Host goes upstream unchanged, so Vite's and the lake's own checks see it too.
 * - Nothing under the project but what the Studio needs reaches Vite (src/dev/exposure.ts).
 * - `https://site.localhost:<port>` is the reader's site, whole (no lake, no Vite, no log-in link):
 *   the Studio's Presentation tool frames it, which an http:// site could not be (mixed content).
 * - No CORS headers are added here: the lake and Vite answer for their own.
 * - A proxied request lives exactly as long as the browser's side: a reset stream, a closed session
 *   or socket closes the upstream request (the lake's listeners are capped per token), and an upstream
 *   that hangs up mid-answer resets the browser's stream.
 */

const HOST = '127.0.0.1'
// The lake's API, and the image and file assets it serves (as Sanity's CDN would) for the Studio and the site.
const API_PATH = /^\/(v(1|X|x|\d{4}-\d{2}-\d{2})|images|files)(\/|\?|$)/

/** Headers that belong to one hop (RFC 9110 §7.6.1) or to HTTP/2 framing; never forwarded. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'http2-settings',
  'host',
])

export interface FrontOptions {
  /** 0 picks a free port. */
  port: number
  cert: string
  key: string
  /** The lake's plain HTTP base URL, e.g. http://127.0.0.1:7700 */
  lakeUrl: string
  /** The Studio dev server's base URL, e.g. http://127.0.0.1:3334 */
  studioUrl: string
  /** The reader's site's base URL, e.g. http://127.0.0.1:3001, served as https://site.localhost:<port>. */
  siteUrl?: string
  /** Answers its own requests (the log-in link) before anything is proxied. */
  login?: LoginLink
  /** What may be asked of the Studio dev server (its root is the project). */
  exposure: ExposurePolicy
  log?: (line: string) => void
}

export interface RunningFront {
  port: number
  close(): Promise<void>
}

interface Target {
  hostname: string
  port: number
  agent: http.Agent
  name: string
}

/**
 * Idle upstream connections are dropped after this, before the upstream drops them: Vite's server
 * keeps an idle connection 5 s (Node's default), and a request sent on one it is closing fails.
 */
const IDLE_UPSTREAM_MS = 4_000

function targetOf(base: string, name: string): Target {
  const url = new URL(base)
  const agent = new http.Agent({keepAlive: true, maxSockets: Infinity, timeout: IDLE_UPSTREAM_MS})
  return {hostname: url.hostname, port: Number(url.port), agent, name}
}

/** A request that may be sent again: no body, nothing of it changes anything upstream. */
function canResend(method: string | undefined): boolean {
  return method === 'GET' || method === 'HEAD' || method === 'OPTIONS'
}

function forwardHeaders(headers: http.IncomingHttpHeaders, target: Target): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {}
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith(':') || HOP_BY_HOP.has(name) || value === undefined) continue
    out[name] = value
  }
  // The name the browser used (already checked), not the upstream's: rewriting it would defeat
  // the upstream's own DNS-rebinding check.
  out.host = requestedAuthority(headers) ?? `${target.hostname}:${target.port}`
  return out
}

/** A refusal on a raw upgrade socket, which has no response object. */
function refuseUpgrade(socket: Duplex, status: number, reason: string, message: string): void {
  const body = Buffer.from(message + '\n', 'utf8')
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${body.length}\r\n` +
      'connection: close\r\n\r\n' +
      body.toString('utf8'),
  )
}

function listenOn(server: net.Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new Error(`port ${port} on ${HOST} is in use; set STUDIO_PORT to another port (0 = any free port)`) : err)
    server.once('error', onError)
    server.listen(port, HOST, () => {
      server.off('error', onError)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

export async function startFront(options: FrontOptions): Promise<RunningFront> {
  const log = options.log ?? (() => {})
  const lake = targetOf(options.lakeUrl, 'local lake')
  const studio = targetOf(options.studioUrl, 'Studio dev server')
  const site = options.siteUrl ? targetOf(options.siteUrl, 'reader site') : undefined
  const pick = (url: string | undefined): Target => (API_PATH.test(url ?? '/') ? lake : studio)
  const noSite = `No reader site runs behind this npm run dev; ${SITE_HOST_NAME} is not served.`

  const server = http2.createSecureServer({cert: options.cert, key: options.key, allowHTTP1: true})
  // Known once listening; requests cannot arrive before.
  let port = 0

  server.on('request', (req: http2.Http2ServerRequest | http.IncomingMessage, res: http2.Http2ServerResponse | http.ServerResponse) => {
    const badHost = hostRefusal(req.headers, port)
    if (badHost) return sendRefusal(res, {status: 421, message: badHost})
    const route = frontAppOf(req.headers, port)
    if ('refusal' in route) return sendRefusal(res, {status: 421, message: route.refusal})
    if (route.app === 'site') {
      // The site host reaches the site only: never Vite's file serving, the lake or the log-in link.
      if (!site) return sendRefusal(res, {status: 421, message: noSite})
      return proxy(req, res, site)
    }
    if (options.login?.handle(req, res)) return
    const target = pick(req.url)
    if (target === studio) {
      const refusal = servedPathRefusal(req.url, options.exposure)
      if (refusal) return sendRefusal(res, refusal)
    }
    proxy(req, res, target)
  })

  function proxy(
    req: http2.Http2ServerRequest | http.IncomingMessage,
    res: http2.Http2ServerResponse | http.ServerResponse,
    target: Target,
  ): void {
    // The upstream's answer, once its headers came; `complete` once its body has ended.
    let answer: http.IncomingMessage | undefined
    let upstream: http.ClientRequest
    const send = (resent: boolean): void => {
      upstream = http.request(
        {
          hostname: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: forwardHeaders(req.headers, target),
          agent: target.agent,
        },
        (response) => {
          answer = response
          const headers: http.OutgoingHttpHeaders = {}
          for (const [name, value] of Object.entries(response.headers)) {
            if (!HOP_BY_HOP.has(name) && value !== undefined) headers[name] = value
          }
          ;(res as http.ServerResponse).writeHead(response.statusCode ?? 502, headers)
          // An upstream that hangs up mid-answer (a listener the lake drops, a lake that stops) must not
          // leave the browser waiting on a stream that will never end: reset it, so the Studio reconnects.
          response.on('error', (err) => res.destroy(err))
          response.pipe(res as NodeJS.WritableStream)
        },
      )
      const sentOn = upstream
      sentOn.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive connection the upstream closed just as this went out: as Node's documentation
        // advises, send a request without a body once more on a new connection (a failed module load
        // would leave the Studio blank).
        if (!resent && !answer && sentOn.reusedSocket && canResend(req.method) && (err.code === 'ECONNRESET' || err.code === 'EPIPE') && !res.destroyed) {
          return send(true)
        }
        if (!res.headersSent) {
          ;(res as http.ServerResponse).writeHead(502, {'content-type': 'text/plain; charset=utf-8'})
          res.end(`The ${target.name} at ${target.hostname}:${target.port} did not answer ${req.method} ${req.url}: ${err.message}\n`)
        } else {
          res.destroy(err)
        }
      })
      if (resent) upstream.end()
      else (req as NodeJS.ReadableStream).pipe(upstream)
    }
    send(false)
    // The browser closing a listener (SSE) early, resetting its HTTP/2 stream or closing the session,
    // must close the upstream request too, or the lake keeps the listener (and its socket) open until
    // its cap answers 429. Only an answer read to its end leaves the upstream connection for reuse.
    // (Not res's 'finish': HTTP/2's compatibility response emits it on every stream close, reset or not.)
    res.on('close', () => {
      if (!answer?.complete) upstream.destroy()
    })
  }

  // HTTP/1.1 upgrades (WebSockets) reach the http2 server through its HTTP/1 fallback.
  const sockets = new Set<Duplex>()
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy())
    const badHost = hostRefusal(req.headers, port)
    if (badHost) return refuseUpgrade(socket, 421, 'Misdirected Request', badHost)
    const route = frontAppOf(req.headers, port)
    if ('refusal' in route) return refuseUpgrade(socket, 421, 'Misdirected Request', route.refusal)
    // The site takes no WebSockets (its live updates are server-sent events).
    if (route.app === 'site') return refuseUpgrade(socket, 404, 'Not Found', `The reader site on ${SITE_HOST_NAME} takes no WebSocket.`)
    const target = pick(req.url)
    const refusal = target === studio ? servedPathRefusal(req.url, options.exposure) : null
    if (refusal) return refuseUpgrade(socket, refusal.status, refusal.status === 400 ? 'Bad Request' : 'Not Found', refusal.message)
    const upstream = net.connect({port: target.port, host: target.hostname, noDelay: true}, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`]
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        if (req.rawHeaders[i].toLowerCase() === 'host') continue
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
      }
      // The name the browser used, checked above (exactly one, whatever was sent).
      lines.push(`Host: ${requestedAuthority(req.headers)}`)
      upstream.write(lines.join('\r\n') + '\r\n\r\n')
      if (head.length > 0) upstream.write(head)
      socket.pipe(upstream).pipe(socket)
    })
    sockets.add(socket)
    sockets.add(upstream)
    const end = () => {
      socket.destroy()
      upstream.destroy()
      sockets.delete(socket)
      sockets.delete(upstream)
    }
    upstream.on('error', end)
    socket.on('error', end)
    upstream.on('close', end)
    socket.on('close', end)
  })

  const sessions = new Set<http2.ServerHttp2Session>()
  server.on('session', (session: http2.ServerHttp2Session) => {
    sessions.add(session)
    session.once('close', () => sessions.delete(session))
  })
  const tlsSockets = new Set<Socket>()
  server.on('secureConnection', (socket: Socket) => {
    // Listener events and WebSocket frames are small writes: without this, Nagle's algorithm holds each
    // behind the browser's delayed ACK (about 40 ms a time over HTTP/1.1).
    socket.setNoDelay(true)
    tlsSockets.add(socket)
    socket.once('close', () => tlsSockets.delete(socket))
  })
  server.on('tlsClientError', (err: Error) => {
    // A browser that has not accepted the self-signed certificate yet hangs up here; that is expected.
    if (!/certificate|alert/i.test(err.message)) log(`TLS: ${err.message}`)
  })

  port = await listenOn(server, options.port)
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy()
        for (const s of sessions) s.destroy()
        for (const s of tlsSockets) s.destroy()
        lake.agent.destroy()
        studio.agent.destroy()
        site?.agent.destroy()
        server.close(() => resolve())
      }),
  }
}
