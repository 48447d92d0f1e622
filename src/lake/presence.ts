import {createHash} from 'node:crypto'
import type {IncomingMessage} from 'node:http'
import type {Duplex} from 'node:stream'
import {tokenMatches} from './auth'
import {randomId} from './ids'
import {LOCAL_USER_ID} from './studio'

/**
 * The Studio's presence socket, `GET /v{apiVersion}/socket/:dataset` upgraded to a WebSocket
 * (Sanity's "bifur" protocol: JSON-RPC 2.0 over WebSocket, plus "♥" heartbeats).
 *
 * Without it the Studio still works, but retries the socket forever and logs each failure.
 * With it, Studio tabs see each other ("also editing this document"). Every session is the
 * same local editor. The WebSocket framing is the small subset browsers use (RFC 6455: masked
 * client frames, text messages, ping/pong, close), so the lake needs no WebSocket library.
 */

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'
const HEARTBEAT = '\u2665'
const HEARTBEAT_MS = 30_000
/** Presence messages are small; anything bigger is a broken or hostile client. */
const MAX_MESSAGE_BYTES = 1024 * 1024
const SOCKET_PATH = /^\/v(1|X|x|\d{4}-\d{2}-\d{2})\/socket\/([^/?]+)$/

type Json = Record<string, unknown>

/** One browser tab's socket: frames in, JSON-RPC messages out. */
class WebSocketConnection {
  private buffer: Buffer = Buffer.alloc(0)
  private fragments: Buffer[] = []
  private closed = false

  constructor(
    private readonly socket: Duplex,
    private readonly onText: (text: string) => void,
    private readonly onClose: () => void,
  ) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    // HTTP servers allow half-open sockets, so a tab that hangs up sends 'end' but no 'close' follows by itself.
    socket.on('end', () => {
      socket.end()
      this.finish()
    })
    socket.on('close', () => this.finish())
    socket.on('error', () => this.finish())
  }

  private finish(): void {
    if (this.closed) return
    this.closed = true
    this.onClose()
  }

  receive(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    while (!this.closed) {
      const frame = this.nextFrame()
      if (!frame) return
      this.handle(frame.fin, frame.opcode, frame.payload)
    }
  }

  private nextFrame(): {fin: boolean; opcode: number; payload: Buffer} | null {
    const b = this.buffer
    if (b.length < 2) return null
    const fin = (b[0] & 0x80) !== 0
    const opcode = b[0] & 0x0f
    const masked = (b[1] & 0x80) !== 0
    let length = b[1] & 0x7f
    let offset = 2
    if (length === 126) {
      if (b.length < 4) return null
      length = b.readUInt16BE(2)
      offset = 4
    } else if (length === 127) {
      if (b.length < 10) return null
      if (b.readUInt32BE(2) !== 0) return this.fail(1009, 'message too big'), null
      length = b.readUInt32BE(6)
      offset = 10
    }
    if (length > MAX_MESSAGE_BYTES) return this.fail(1009, 'message too big'), null
    // RFC 6455 §5.1: a server must close the connection on an unmasked client frame.
    if (!masked) return this.fail(1002, 'client frames must be masked'), null
    if (b.length < offset + 4 + length) return null
    const mask = b.subarray(offset, offset + 4)
    const payload = Buffer.from(b.subarray(offset + 4, offset + 4 + length))
    for (let i = 0; i < payload.length; i++) payload[i] ^= mask[i & 3]
    this.buffer = b.subarray(offset + 4 + length)
    return {fin, opcode, payload}
  }

  private handle(fin: boolean, opcode: number, payload: Buffer): void {
    switch (opcode) {
      case 0x0: // continuation
      case 0x1: // text
      case 0x2: {
        // binary (not used by the Studio; treated as text)
        this.fragments.push(payload)
        const size = this.fragments.reduce((n, f) => n + f.length, 0)
        if (size > MAX_MESSAGE_BYTES) return this.fail(1009, 'message too big')
        if (fin) {
          const text = Buffer.concat(this.fragments).toString('utf8')
          this.fragments = []
          this.onText(text)
        }
        return
      }
      case 0x8: // close: answer with the same code, then hang up
        this.writeFrame(0x8, payload.subarray(0, 2))
        this.socket.end()
        this.finish()
        return
      case 0x9: // ping
        this.writeFrame(0xa, payload)
        return
      case 0xa: // pong
        return
      default:
        this.fail(1002, `unknown opcode ${opcode}`)
    }
  }

  private writeFrame(opcode: number, payload: Buffer): void {
    if (this.socket.destroyed) return
    const length = payload.length
    const header = length < 126 ? Buffer.alloc(2) : length < 65536 ? Buffer.alloc(4) : Buffer.alloc(10)
    header[0] = 0x80 | opcode
    if (length < 126) header[1] = length
    else if (length < 65536) {
      header[1] = 126
      header.writeUInt16BE(length, 2)
    } else {
      header[1] = 127
      header.writeUInt32BE(0, 2)
      header.writeUInt32BE(length, 6)
    }
    this.socket.write(Buffer.concat([header, payload]))
  }

  send(text: string): void {
    if (!this.closed) this.writeFrame(0x1, Buffer.from(text, 'utf8'))
  }

  fail(code: number, reason: string): void {
    if (this.closed) return
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason))
    payload.writeUInt16BE(code, 0)
    payload.write(reason, 2)
    this.writeFrame(0x8, payload)
    this.socket.end()
    this.finish()
  }

  destroy(): void {
    this.socket.destroy()
    this.finish()
  }
}

interface Session {
  ws: WebSocketConnection
  authenticated: boolean
  /** Subscription ids this tab holds for "presence" events. */
  subscriptions: Set<string>
  /** The Studio's presence session id, once the tab announced itself. */
  presenceSession?: string
}

export interface PresenceOptions {
  token: string
  datasetName: string
}

/** A socket that has not authorized by then is closed: it can do nothing, so it only holds resources. */
const AUTHORIZE_WITHIN_MS = 30_000

/** All presence sockets of one lake; Studio tabs hear each other's announcements. */
export class PresenceHub {
  private readonly sessions = new Set<Session>()
  private readonly heartbeat: NodeJS.Timeout

  constructor(private readonly options: PresenceOptions) {
    this.heartbeat = setInterval(() => {
      for (const session of this.sessions) session.ws.send(HEARTBEAT)
    }, HEARTBEAT_MS)
    this.heartbeat.unref()
  }

  /** For a server's 'upgrade' event: takes presence sockets, refuses every other upgrade. */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const match = SOCKET_PATH.exec(new URL(req.url ?? '/', 'http://127.0.0.1').pathname)
    const key = req.headers['sec-websocket-key']
    const refuse = (status: string, message: string) => {
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`)
    }
    if (!match) return refuse('404 Not Found', `No WebSocket endpoint at ${req.url}; the presence socket is /v{apiVersion}/socket/${this.options.datasetName}\n`)
    if (match[2] !== this.options.datasetName) return refuse('404 Not Found', `Dataset "${match[2]}" not found; this local lake serves "${this.options.datasetName}"\n`)
    if (String(req.headers.upgrade).toLowerCase() !== 'websocket' || typeof key !== 'string' || req.headers['sec-websocket-version'] !== '13') {
      return refuse('400 Bad Request', 'Expected a WebSocket (version 13) upgrade\n')
    }
    const accept = createHash('sha1').update(key + WS_GUID).digest('base64')
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`)
    const session: Session = {
      ws: new WebSocketConnection(
        socket,
        (text) => this.onMessage(session, text),
        () => this.onClose(session),
      ),
      authenticated: false,
      subscriptions: new Set(),
    }
    this.sessions.add(session)
    const deadline = setTimeout(() => {
      if (!session.authenticated) session.ws.fail(4001, 'Unauthorized: no authorization within 30 s')
    }, AUTHORIZE_WITHIN_MS)
    deadline.unref()
    if (head.length > 0) session.ws.receive(head)
  }

  private reply(session: Session, id: unknown, result: unknown): void {
    session.ws.send(JSON.stringify({jsonrpc: '2.0', id, result}))
  }

  private replyError(session: Session, id: unknown, code: number, message: string): void {
    session.ws.send(JSON.stringify({jsonrpc: '2.0', id, error: {code, message}}))
  }

  /** Sends a presence event to every other tab that subscribed. */
  private broadcast(from: Session, event: Json): void {
    for (const session of this.sessions) {
      if (session === from || !session.authenticated) continue
      for (const subscription of session.subscriptions) {
        session.ws.send(JSON.stringify({jsonrpc: '2.0', method: 'presence_subscription', params: {subscription, result: event}}))
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
        session.ws.fail(4001, 'Unauthorized')
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
    for (const session of [...this.sessions]) session.ws.destroy()
    this.sessions.clear()
  }
}
