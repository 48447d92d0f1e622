import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'
import type {RawData, ServerOptions, WebSocket, WebSocketServer} from 'ws'
import {tokenMatches} from './auth'
import {gatewayError, type LakeError} from './errors'
import {randomId} from './ids'
import {hostProblem, originAllowed, type OriginPolicy} from './origin'
import {lazyPackage} from './lazy'
import {LOCAL_USER_ID} from './studio'

const loadWs = lazyPackage<typeof import('ws')>('ws')

/**
 * The Studio's presence socket, `GET /v{apiVersion}/socket/:dataset` upgraded to a WebSocket
 * (Sanity's "bifur" protocol: JSON-RPC 2.0 over WebSocket, plus "♥" heartbeats).
 *
 * Without it the Studio still works, but retries the socket forever and logs each failure.
 * With it, Studio tabs see each other ("also editing this document"). Every session is the
 * same local editor. Frames are read by `ws`, which fails a malformed one with RFC 6455's close
 * code (1002, 1007, 1009); what `ws` leaves to its user is here: who may upgrade, the
 * authorization deadline, pings that find dead or stalled sockets, and floods.
 */

const HEARTBEAT = '\u2665'
/** Presence messages are small; anything bigger is a broken or hostile client. */
const MAX_MESSAGE_BYTES = 1024 * 1024
/** Replies and broadcasts waiting for a tab that reads nothing; past this it is dropped, not buffered without end. */
const MAX_UNSENT_BYTES = 4 * 1024 * 1024
/** Browsers never send pings and `ws` clients a few a minute; a socket past this is flooding. */
const MAX_PINGS_PER_WINDOW = 100
const PING_WINDOW_MS = 10_000
/** How long a peer gets to answer a close frame before its socket is dropped (ws waits 30 s by default). */
const CLOSE_GRACE_MS = 2000
const SOCKET_PATH = /^\/v(1|X|x|\d{4}-\d{2}-\d{2})\/socket\/([^/?]+)$/

type Json = Record<string, unknown>

// closeTimeout is in ws 8.23 (the installed version) but not yet in @types/ws 8.18.
const serverOptions: ServerOptions & {closeTimeout: number} = {
  noServer: true,
  clientTracking: false,
  maxPayload: MAX_MESSAGE_BYTES,
  // Off (also ws's default): a zlib context per socket buys nothing for messages of a few hundred bytes.
  perMessageDeflate: false,
  // Pings are answered in onPing, which counts them.
  autoPong: false,
  closeTimeout: CLOSE_GRACE_MS,
}

export interface PresenceLimits {
  /** A socket that has not authorized by then is closed (4001): it can do nothing, so it only holds resources. */
  authTimeoutMs: number
  /** Heartbeat and ping interval; a socket that has not answered the previous ping by the next one is dropped. */
  heartbeatMs: number
}

export const PRESENCE_ENV = {authTimeoutMs: 'LAKE_PRESENCE_AUTH_TIMEOUT_MS', heartbeatMs: 'LAKE_PRESENCE_HEARTBEAT_MS'} as const
export const DEFAULT_PRESENCE_LIMITS: PresenceLimits = {authTimeoutMs: 30_000, heartbeatMs: 30_000}

/** LAKE_PRESENCE_*: an invalid value stops start-up with a message naming it, as the other LAKE_* limits do. */
export function presenceLimitsFrom(env: Record<string, string | undefined>): PresenceLimits {
  const read = (key: keyof PresenceLimits): number => {
    const name = PRESENCE_ENV[key]
    const value = env[name]
    if (value === undefined || value === '') return DEFAULT_PRESENCE_LIMITS[key]
    const ms = Number(value)
    if (!Number.isSafeInteger(ms) || ms <= 0) {
      throw new Error(`${name}=${value} is not a time in milliseconds (a whole number above 0, e.g. 30000); unset it for the default ${DEFAULT_PRESENCE_LIMITS[key]}`)
    }
    return ms
  }
  return {authTimeoutMs: read('authTimeoutMs'), heartbeatMs: read('heartbeatMs')}
}

interface Session {
  ws: WebSocket
  /** The upgraded TCP or TLS socket under ws. */
  socket: Duplex
  authenticated: boolean
  /** Subscription ids this tab holds for "presence" events. */
  subscriptions: Set<string>
  /** The Studio's presence session id, once the tab announced itself. */
  presenceSession?: string
  /** Whether the tab answered the last ping. */
  answered: boolean
  pings: number
  pingWindowStart: number
}

export interface PresenceOptions extends PresenceLimits {
  token: string
  datasetName: string
  /** The Host and Origin rules of HTTP requests (origin.ts); a browser page of any origin may open a WebSocket. */
  origins: OriginPolicy
}

/** A whole HTTP/1.1 answer on the raw upgrade socket, in Sanity's gateway error shape. */
function refuse(socket: Duplex, err: LakeError): void {
  const body = JSON.stringify(err.body)
  socket.on('error', () => socket.destroy())
  socket.end(
    `HTTP/1.1 ${err.status} ${String(err.body.error)}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
  )
  // The server allows half-open sockets: a client that never hangs up would keep this one.
  setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref()
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8')
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8')
}

/** All presence sockets of one lake; Studio tabs hear each other's announcements. */
export class PresenceHub {
  private readonly sessions = new Set<Session>()
  private readonly heartbeat: NodeJS.Timeout
  /** Made when the first Studio connects: most lakes never serve one. */
  private serverInstance: WebSocketServer | undefined

  constructor(private readonly options: PresenceOptions) {
    this.heartbeat = setInterval(() => this.beat(), options.heartbeatMs)
    this.heartbeat.unref()
  }

  /** Why this upgrade is refused, before any WebSocket exists; null to accept it. */
  private refusal(req: IncomingMessage): LakeError | null {
    const wrongHost = hostProblem(req, this.options.origins)
    if (wrongHost) return gatewayError(421, wrongHost)
    const origin = req.headers.origin
    if (origin !== undefined && !originAllowed(origin, this.options.origins)) {
      return gatewayError(
        403,
        `Origin "${origin.slice(0, 100)}" may not open the presence socket: only pages served from this machine and the origins in LAKE_CORS_ORIGINS may`,
      )
    }
    const match = SOCKET_PATH.exec(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
    if (!match) return gatewayError(404, `No WebSocket endpoint at ${req.url}; the presence socket is /v{apiVersion}/socket/${this.options.datasetName}`)
    if (match[2] !== this.options.datasetName) return gatewayError(404, `Dataset "${match[2]}" not found; this local lake serves "${this.options.datasetName}"`)
    const key = req.headers['sec-websocket-key']
    if (String(req.headers.upgrade).toLowerCase() !== 'websocket' || typeof key !== 'string' || req.headers['sec-websocket-version'] !== '13') {
      return gatewayError(400, 'Expected a WebSocket (version 13) upgrade')
    }
    return null
  }

  /** For a server's 'upgrade' event: takes presence sockets, refuses every other upgrade. */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refusal = this.refusal(req)
    if (refusal) return refuse(socket, refusal)
    // ws answers a malformed key or a non-GET with its own 400.
    this.serverInstance ??= new (loadWs().WebSocketServer)(serverOptions)
    this.serverInstance.handleUpgrade(req, socket, head, (client) => this.accept(client, socket))
  }

  private accept(ws: WebSocket, socket: Duplex): void {
    const session: Session = {ws, socket, authenticated: false, subscriptions: new Set(), answered: true, pings: 0, pingWindowStart: Date.now()}
    this.sessions.add(session)
    const {authTimeoutMs} = this.options
    const deadline = setTimeout(() => {
      if (!session.authenticated) this.fail(session, 4001, `Unauthorized: no authorization within ${authTimeoutMs} ms`)
    }, authTimeoutMs)
    deadline.unref()
    ws.on('message', (data) => this.onMessage(session, textOf(data)))
    ws.on('ping', (data) => this.onPing(session, data))
    ws.on('pong', () => (session.answered = true))
    // A malformed frame: ws has sent the close frame with its code and drops the socket after CLOSE_GRACE_MS.
    ws.on('error', () => {})
    ws.on('close', () => {
      clearTimeout(deadline)
      this.onClose(session)
    })
  }

  /** "♥" for the Studio, and a ping: a tab that did not answer the last one is gone, or stuck mid-frame. */
  private beat(): void {
    for (const session of this.sessions) {
      if (!session.answered) {
        session.ws.terminate()
        continue
      }
      session.answered = false
      session.ws.ping()
      this.send(session, HEARTBEAT)
    }
  }

  private onPing(session: Session, data: Buffer): void {
    const {ws} = session
    if (ws.readyState !== ws.OPEN) return
    const now = Date.now()
    if (now - session.pingWindowStart > PING_WINDOW_MS) {
      session.pingWindowStart = now
      session.pings = 0
    }
    // 1008: policy violation, RFC 6455's code for what no other code names.
    if (++session.pings > MAX_PINGS_PER_WINDOW) return this.fail(session, 1008, `Too many pings: more than ${MAX_PINGS_PER_WINDOW} in ${PING_WINDOW_MS / 1000} s`)
    ws.pong(data)
  }

  /**
   * Closes with `code` without waiting for the peer's close frame (RFC 6455 §7.1.7, "Fail the
   * WebSocket Connection"): ws writes the close frame at once, and the end follows it.
   */
  private fail(session: Session, code: number, reason: string): void {
    if (session.ws.readyState !== session.ws.OPEN) return
    session.ws.close(code, reason)
    session.socket.end()
  }

  private send(session: Session, text: string): void {
    const {ws} = session
    if (ws.readyState !== ws.OPEN) return
    if (ws.bufferedAmount > MAX_UNSENT_BYTES) return ws.terminate()
    ws.send(text)
  }

  private reply(session: Session, id: unknown, result: unknown): void {
    this.send(session, JSON.stringify({jsonrpc: '2.0', id, result}))
  }

  private replyError(session: Session, id: unknown, code: number, message: string): void {
    this.send(session, JSON.stringify({jsonrpc: '2.0', id, error: {code, message}}))
  }

  /** Sends a presence event to every other tab that subscribed. */
  private broadcast(from: Session, event: Json): void {
    for (const session of this.sessions) {
      if (session === from || !session.authenticated) continue
      for (const subscription of session.subscriptions) {
        this.send(session, JSON.stringify({jsonrpc: '2.0', method: 'presence_subscription', params: {subscription, result: event}}))
      }
    }
  }

  private onMessage(session: Session, text: string): void {
    let message: Json
    try {
      const parsed: unknown = JSON.parse(text)
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object')
      message = parsed as Json
    } catch {
      return this.replyError(session, null, -32700, 'Parse error: send JSON-RPC 2.0 objects')
    }
    const {id, method} = message
    const params = (message.params ?? {}) as Json
    if (method === 'authorization') {
      const header = typeof params.authorization === 'string' ? params.authorization : ''
      const token = /^Bearer\s+(.+)$/i.exec(header.trim())?.[1] ?? ''
      if (!tokenMatches(token, this.options.token)) {
        this.replyError(session, id, 4001, 'Unauthorized: not the lake token')
        // 4001 is the code the Studio's socket client knows as "unauthorized".
        this.fail(session, 4001, 'Unauthorized')
        return
      }
      session.authenticated = true
      return this.reply(session, id, true)
    }
    if (!session.authenticated) return this.replyError(session, id, 4001, 'Unauthorized: call "authorization" with the lake token first')
    switch (method) {
      case 'presence_subscribe': {
        const subscription = randomId(16)
        session.subscriptions.add(subscription)
        return this.reply(session, id, subscription)
      }
      case 'presence_unsubscribe':
        session.subscriptions.delete(String(params.subscriptionId))
        return this.reply(session, id, true)
      case 'presence_announce': {
        const data = (params.data ?? {}) as Json
        if (typeof data.sessionId === 'string') session.presenceSession = data.sessionId
        this.broadcast(session, {type: 'state', i: LOCAL_USER_ID, m: data})
        return this.reply(session, id, true)
      }
      case 'presence_rollcall':
        this.broadcast(session, {type: 'rollCall', i: LOCAL_USER_ID, session: params.session})
        return this.reply(session, id, true)
      case 'presence_disconnect':
        this.broadcast(session, {type: 'disconnect', i: LOCAL_USER_ID, m: {session: params.session}})
        return this.reply(session, id, true)
      default:
        return this.replyError(session, id, -32601, `Method not found: ${String(method)} (the local lake's socket serves presence only)`)
    }
  }

  private onClose(session: Session): void {
    if (!this.sessions.delete(session)) return
    if (session.authenticated && session.presenceSession) {
      this.broadcast(session, {type: 'disconnect', i: LOCAL_USER_ID, m: {session: session.presenceSession}})
    }
  }

  close(): void {
    clearInterval(this.heartbeat)
    for (const session of [...this.sessions]) session.ws.terminate()
    this.sessions.clear()
    this.serverInstance?.close()
  }
}
