import type http from 'node:http'
import type http2 from 'node:http2'
import type {Socket} from 'node:net'
import type {Duplex} from 'node:stream'
import {accessOf} from './auth'
import {gatewayError, type LakeError} from './errors'
import {asResponse, discardRest, sendError, type LakeRequest} from './http'
import {accessKind, formatBytes, LIMIT_ENV, RETRY_AFTER_SECONDS, tooManyRequests, type LakeLimits, type Usage} from './limits'
import {corsHeaders, type OriginPolicy} from './origin'

/**
 * What stands between a socket and the request handler: caps on open connections (per remote
 * address and in all), on requests in progress per client, on URL length, and Sanity-shaped
 * answers for what Node's HTTP parser refuses (oversized headers, timeouts).
 *
 * On loopback every client is 127.0.0.1, so "per client" is the remote address plus what it
 * presents: anonymous requests are counted apart from the token holder's, and a flood of
 * anonymous requests is refused before the Studio's requests are.
 */

type Handler = (req: LakeRequest, res: http.ServerResponse | http2.Http2ServerResponse) => void

/** A whole HTTP/1.1 response written straight to a socket, for when there is no request object. */
function rawResponse(socket: Duplex, err: LakeError): void {
  const body = JSON.stringify(err.body)
  const head = [
    `HTTP/1.1 ${err.status} ${String((err.body as {error?: unknown}).error ?? 'Error')}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    'connection: close',
    ...Object.entries(err.headers).map(([name, value]) => `${name}: ${value}`),
  ]
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`)
}

/** Counts open connections per remote address; refuses past the caps. Shared by both servers. */
export function connectionGuard(limits: LakeLimits, log: (line: string) => void) {
  const perAddress = new Map<string, number>()
  let total = 0
  return (server: http.Server | http2.Http2SecureServer, plain: boolean): void => {
    server.on('connection', (socket: Socket) => {
      const address = socket.remoteAddress ?? 'unknown'
      const mine = (perAddress.get(address) ?? 0) + 1
      if (mine > limits.connectionsPerClient || total + 1 > limits.connections) {
        const message =
          mine > limits.connectionsPerClient
            ? `Too many connections from ${address}: ${limits.connectionsPerClient} are open, the local lake's limit (${LIMIT_ENV.connectionsPerClient}); reuse connections (keep-alive) or retry in ${RETRY_AFTER_SECONDS} s`
            : `Too many connections: ${limits.connections} are open, the local lake's limit (${LIMIT_ENV.connections}); retry in ${RETRY_AFTER_SECONDS} s`
        log(`refused a connection: ${message}`)
        // A TLS socket cannot carry a plain answer before its handshake: it is just closed.
        if (plain) rawResponse(socket, tooManyRequests(message))
        else socket.destroy()
        return
      }
      perAddress.set(address, mine)
      total++
      socket.once('close', () => {
        total--
        const left = (perAddress.get(address) ?? 1) - 1
        if (left > 0) perAddress.set(address, left)
        else perAddress.delete(address)
      })
    })
  }
}

/** Sanity-shaped answers for requests Node's HTTP/1.1 parser refuses before the handler sees them. */
export function onClientError(limits: LakeLimits) {
  return (err: NodeJS.ErrnoException, socket: Duplex): void => {
    const pending = (socket as Duplex & {_httpMessage?: {headersSent?: boolean}})._httpMessage
    if (err.code === 'ECONNRESET' || !socket.writable || pending?.headersSent) {
      socket.destroy()
      return
    }
    let answer: LakeError
    if (err.code === 'HPE_HEADER_OVERFLOW') {
      answer = gatewayError(
        431,
        `Request headers (with the URL) are larger than ${formatBytes(limits.headerBytes)}, the local lake's limit (${LIMIT_ENV.headerBytes}); send long queries as POST bodies`,
      )
    } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      answer = gatewayError(
        408,
        `Request not received in time: headers within ${limits.headersTimeoutMs} ms (${LIMIT_ENV.headersTimeoutMs}), the body within ${limits.bodyTimeoutMs.token} ms (${LIMIT_ENV.bodyTimeoutMs.token})`,
      )
    } else {
      answer = gatewayError(400, `Malformed HTTP request (${err.code ?? err.message})`)
    }
    rawResponse(socket, answer)
  }
}

/**
 * Wraps the request handler: a URL past the limit is a 414, and a client with its cap of
 * requests in progress gets a 429 with Retry-After. Listeners are not counted here; they
 * have their own cap (ListenerHub).
 */
export function admitRequests(handler: Handler, limits: LakeLimits, usage: Usage, token: string, origins: OriginPolicy): Handler {
  return (req, raw) => {
    const refuse = (err: LakeError) => {
      const res = asResponse(raw)
      discardRest(req)
      for (const [name, value] of Object.entries(corsHeaders(req, origins))) if (value !== undefined) res.setHeader(name, value as string)
      sendError(res, err)
    }
    const url = req.url ?? '/'
    if (Buffer.byteLength(url) > limits.urlBytes) {
      refuse(
        gatewayError(
          414,
          `Request URL is longer than ${formatBytes(limits.urlBytes)}, the local lake's limit (${LIMIT_ENV.urlBytes}); send long queries as a POST body ({"query": ..., "params": ...})`,
        ),
      )
      return
    }
    if (/\/data\/listen\//.test(url.split('?')[0])) {
      handler(req, raw)
      return
    }
    const kind = accessKind(accessOf(req.headers.authorization, token))
    const key = `${req.socket?.remoteAddress ?? 'unknown'}|${kind}`
    const inFlight = usage.requests.get(key) ?? 0
    if (inFlight >= limits.requestsPerClient[kind]) {
      const who = kind === 'token' ? 'with the token' : 'without a token'
      refuse(
        tooManyRequests(
          `Too many requests in progress: ${inFlight} ${who} from ${req.socket?.remoteAddress ?? 'this client'}, the local lake's limit (${LIMIT_ENV.requestsPerClient[kind]}); wait for answers before sending more, or retry in ${RETRY_AFTER_SECONDS} s`,
        ),
      )
      return
    }
    usage.requests.set(key, inFlight + 1)
    let done = false
    const release = () => {
      if (done) return
      done = true
      const left = (usage.requests.get(key) ?? 1) - 1
      if (left > 0) usage.requests.set(key, left)
      else usage.requests.delete(key)
    }
    raw.once('close', release)
    raw.once('finish', release)
    handler(req, raw)
  }
}
