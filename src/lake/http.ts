import type {IncomingMessage, OutgoingHttpHeaders, ServerResponse} from 'node:http'
import type {Http2ServerRequest, Http2ServerResponse} from 'node:http2'
import {badRequest, gatewayError, LakeError} from './errors'

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
}

export function asResponse(res: ServerResponse | Http2ServerResponse): LakeResponse {
  return res as unknown as LakeResponse
}

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024

export function sendJson(res: LakeResponse, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const payload = JSON.stringify(body)
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  })
  res.end(payload)
}

export function sendError(res: LakeResponse, err: LakeError, headers: OutgoingHttpHeaders = {}): void {
  if (res.headersSent) {
    res.end()
    return
  }
  sendJson(res, err.status, err.body, headers)
}

/** Beyond this, an oversized upload is cut off instead of drained. */
const MAX_DRAIN_BYTES = 256 * 1024 * 1024

/**
 * Reads the whole body, refusing more than `limit` bytes with a 413. The excess is read
 * and dropped rather than buffered: answering before the upload ends would make the
 * client see a broken pipe instead of the 413.
 */
export function readBody(req: LakeRequest, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const tooLarge = () =>
      gatewayError(413, `Request body is larger than the local lake's limit of ${Math.round(limit / 1024 / 1024)} MB; split the transaction`)
    const chunks: Buffer[] = []
    let size = 0
    let over = Number(req.headers['content-length']) > limit
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (over || size > limit) {
        over = true
        chunks.length = 0
        if (size > MAX_DRAIN_BYTES) {
          reject(tooLarge())
          req.destroy()
        }
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => (over ? reject(tooLarge()) : resolve(Buffer.concat(chunks))))
    req.on('error', (err: Error) => reject(err))
  })
}

export async function readJson(req: LakeRequest, limit: number): Promise<unknown> {
  const body = await readBody(req, limit)
  if (body.length === 0) throw badRequest('Request body is empty: send a JSON object')
  try {
    return JSON.parse(body.toString('utf8'))
  } catch (err) {
    throw badRequest(`Request body is not valid JSON: ${(err as Error).message}`)
  }
}

/** Query-string booleans as Sanity reads them. */
export function flag(value: string | null, fallback: boolean): boolean {
  if (value === null || value === '') return fallback
  return value === 'true' || value === '1'
}
