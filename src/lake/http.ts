import type {IncomingMessage, OutgoingHttpHeaders, ServerResponse} from 'node:http'
import type {Http2ServerRequest, Http2ServerResponse} from 'node:http2'
import {badRequest, gatewayError, LakeError} from './errors'
import {parseClientJson} from './json'
import {formatBytes, LIMIT_ENV, RETRY_AFTER_SECONDS, tooManyRequests, type BodyLimit} from './limits'

export type LakeRequest = IncomingMessage | Http2ServerRequest

/** The part of the response API that HTTP/1.1 and the HTTP/2 compatibility layer share. */
export interface LakeResponse {
  statusCode: number
  readonly headersSent: boolean
  readonly writableLength: number
  readonly writableEnded: boolean
  setHeader(name: string, value: string | number | readonly string[]): unknown
  writeHead(status: number, headers?: OutgoingHttpHeaders): unknown
  write(chunk: string | Buffer): boolean
  end(chunk?: string | Buffer): unknown
  once(event: 'drain' | 'close', listener: () => void): unknown
  on(event: 'close', listener: () => void): unknown
  destroy(): unknown
}

export function asResponse(res: ServerResponse | Http2ServerResponse): LakeResponse {
  return res as unknown as LakeResponse
}

export function sendJson(res: LakeResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  // Encoded once, into room for the worst case (3 bytes a UTF-16 unit): Buffer.from, or
  // Buffer.byteLength then res.end, would each read the text twice.
  const text = JSON.stringify(body)
  const room = Buffer.allocUnsafe(text.length * 3)
  const payload = room.subarray(0, room.write(text))
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': payload.length,
    ...headers,
  })
  res.end(payload)
}

/** JSON text that needs no escaping and is one byte per character. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/
const NEEDS_ESCAPE = /["\\\x00-\x1f]/
/** Objects at least this large remember their size: query results repeat shared documents. */
const REMEMBER_ABOVE = 256

/**
 * The UTF-8 length of `JSON.stringify(value)`, or undefined as soon as it passes `max`,
 * without building the text: a query result can reference the same documents millions of
 * times and be tiny in memory but gigabytes as JSON. (Lone surrogates count 3 bytes, not the 6
 * of their escape; close enough for a limit.)
 */
export function jsonByteLength(value: unknown, max: number): number | undefined {
  return measureJson(value, max, exactStringSize)
}

/**
 * Whether JSON.stringify(value) fits in `max` UTF-8 bytes (see jsonByteLength). Most results are far
 * below the limit: a first pass that counts every string at its worst case (6 bytes a character, an
 * escape each) proves that without reading the strings; only a result it cannot clear is measured.
 */
export function jsonFits(value: unknown, max: number): boolean {
  return measureJson(value, max, (s) => s.length * 6 + 2) !== undefined || jsonByteLength(value, max) !== undefined
}

function exactStringSize(s: string): number {
  if (PLAIN_ASCII.test(s)) return s.length + 2
  if (!NEEDS_ESCAPE.test(s)) return Buffer.byteLength(s) + 2
  return Buffer.byteLength(JSON.stringify(s))
}

function measureJson(value: unknown, max: number, stringSize: (s: string) => number): number | undefined {
  let total = 0
  const sizes = new WeakMap<object, number>()
  const over = {}
  const add = (n: number) => {
    total += n
    if (total > max) throw over
  }
  // Adds the size of `v` to the total; false when JSON.stringify would leave it out (undefined, functions).
  const walk = (v: unknown): boolean => {
    switch (typeof v) {
      case 'string':
        add(stringSize(v))
        return true
      case 'number':
        add(Number.isFinite(v) ? String(v).length : 4)
        return true
      case 'boolean':
        add(v ? 4 : 5)
        return true
      case 'object':
        break
      default:
        return false
    }
    if (v === null) {
      add(4)
      return true
    }
    const known = sizes.get(v)
    if (known !== undefined) {
      add(known)
      return true
    }
    const toJSON = (v as {toJSON?: unknown}).toJSON
    if (typeof toJSON === 'function') return walk(toJSON.call(v))
    const start = total
    if (Array.isArray(v)) {
      add(2 + Math.max(0, v.length - 1))
      for (const item of v) if (!walk(item)) add(4)
    } else {
      add(2)
      let first = true
      for (const key of Object.keys(v)) {
        const before = total
        const item = (v as Record<string, unknown>)[key]
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue
        add(stringSize(key) + 1 + (first ? 0 : 1))
        if (!walk(item)) {
          total = before
          continue
        }
        first = false
      }
    }
    if (total - start >= REMEMBER_ABOVE) sizes.set(v, total - start)
    return true
  }
  try {
    walk(value)
  } catch (err) {
    if (err === over) return undefined
    throw err
  }
  return total
}

export function sendError(res: LakeResponse, err: LakeError, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.end()
    return
  }
  sendJson(res, err.status, err.body, {...err.headers, ...headers})
}

/** Beyond this, an oversized upload is cut off instead of drained. */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024
/** After a refusal, how long the client gets to finish its upload and read the answer. */
const LINGER_MS = 2_000

/**
 * After answering before the body was read: the rest is read and dropped (a client still
 * uploading would otherwise see a reset instead of the answer), and the connection is cut
 * if the body has not ended within LINGER_MS.
 */
export function discardRest(req: LakeRequest): void {
  if (req.complete) return
  req.resume()
  const timer = setTimeout(() => {
    if (!req.complete) req.destroy()
  }, LINGER_MS)
  timer.unref()
  req.once('end', () => clearTimeout(timer))
}

/**
 * Reads the whole body within the caller's limits: more than `maxBytes` is a 413, a body
 * not complete within `timeoutMs` a 408 (slow uploads hold memory and a connection), and
 * when all requests together hold `maxBufferedBytes` of bodies, a 429 with Retry-After.
 * The excess of an oversized body is read and dropped rather than buffered: answering
 * before the upload ends would make the client see a broken pipe instead of the 413.
 */
export function readBody(req: LakeRequest, limit: BodyLimit): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const {usage} = limit
    const chunks: Buffer[] = []
    let size = 0
    let held = 0
    let settled = false
    let over = Number(req.headers['content-length']) > limit.maxBytes
    const http1 = req.httpVersionMajor < 2

    const tooLarge = () =>
      gatewayError(
        413,
        `Request body is larger than the local lake's limit of ${formatBytes(limit.maxBytes)} for ${limit.who} (${limit.bytesVar}); send less, e.g. split the transaction into several`,
      )
    const release = () => {
      usage.bufferedBodyBytes -= held
      held = 0
      chunks.length = 0
    }
    /** `cut`: refused before the upload ended. */
    const settle = (err: LakeError | Error | null, cut = false) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      req.off('data', onData)
      req.off('end', onEnd)
      if (err) {
        release()
        if (cut && err instanceof LakeError) {
          // A client too slow to send its body gets no second request on this connection
          // (HTTP/2 has no Connection header; its stream ends with the answer).
          if (http1 && err.status === 408) err.headers.connection = 'close'
          discardRest(req)
        }
        reject(err)
        return
      }
      const whole = Buffer.concat(chunks)
      release()
      resolve(whole)
    }
    const timer = setTimeout(() => {
      const late = gatewayError(
        408,
        `Request body not received within ${limit.timeoutMs} ms, the local lake's limit for ${limit.who} (${limit.timeoutVar}); send the body without pauses`,
      )
      settle(over ? tooLarge() : late, true)
    }, limit.timeoutMs)
    const busy = () =>
      tooManyRequests(
        `The local lake is holding ${formatBytes(limit.maxBufferedBytes)} of request bodies, its limit for all requests together (${LIMIT_ENV.bufferedBodyBytes}); retry in ${RETRY_AFTER_SECONDS} s`,
      )
    // A declared length is counted against the shared budget at once, so that bodies arriving
    // together cannot each pass the check and then add up past it.
    const declared = Number(req.headers['content-length'])
    if (!over && declared > 0) {
      if (usage.bufferedBodyBytes + declared > limit.maxBufferedBytes) {
        settle(busy(), true)
        return
      }
      held = declared
      usage.bufferedBodyBytes += declared
    }

    function onData(chunk: Buffer): void {
      size += chunk.length
      if (over || size > limit.maxBytes) {
        over = true
        release()
        if (size > MAX_DRAIN_BYTES) settle(tooLarge(), true)
        return
      }
      chunks.push(chunk)
      if (size > held) {
        usage.bufferedBodyBytes += size - held
        held = size
        if (usage.bufferedBodyBytes > limit.maxBufferedBytes) settle(busy(), true)
      }
    }
    function onEnd(): void {
      if (over) settle(tooLarge())
      else settle(null)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', (err: Error) => settle(err))
  })
}

export async function readJson(req: LakeRequest, limit: BodyLimit): Promise<unknown> {
  const body = await readBody(req, limit)
  if (body.length === 0) throw badRequest('Request body is empty: send a JSON object')
  return parseClientJson(body.toString('utf8'), 'Request body')
}

/** Query-string booleans as Sanity reads them. */
export function flag(value: string | null, fallback: boolean): boolean {
  if (value === null || value === '') return fallback
  return value === 'true' || value === '1'
}
