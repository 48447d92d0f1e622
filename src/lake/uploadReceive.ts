import {createHash, randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {gatewayError, LakeError} from './errors'
import {discardRest, type LakeRequest} from './http'
import {formatBytes} from './limits'

/**
 * An upload body written to a temporary file as it arrives, so that a large asset is never
 * held in memory: the sha1 is computed on the way, the size limit is checked on every chunk,
 * and whatever goes wrong (too large, too slow, the client hung up) removes the file.
 */

/** What sniffing the type needs: magic bytes, and the root element of an SVG. */
export const HEAD_BYTES = 4096
const TEMP_PREFIX = '.upload-'
const TEMP_SUFFIX = '.tmp'

export interface ReceivedUpload {
  /** The temporary file (0600), in the directory given; the caller renames or removes it. */
  temp: string
  size: number
  sha1: string
  /** The first HEAD_BYTES bytes (fewer if the body is shorter). */
  head: Buffer
}

export interface UploadLimit {
  maxBytes: number
  timeoutMs: number
  /** For messages: what is uploaded ("image", "file") and the variables that set the limits. */
  what: string
  bytesVar: string
  timeoutVar: string
}

/** Removes temporary files left by a lake that stopped mid-upload; only call before any upload of this process starts. */
export function removeStaleUploads(dir: string): void {
  let names: string[]
  try {
    names = fs.readdirSync(dir)
  } catch {
    return // no assets yet
  }
  for (const name of names) if (name.startsWith(TEMP_PREFIX) && name.endsWith(TEMP_SUFFIX)) fs.rmSync(path.join(dir, name), {force: true})
}

/**
 * Streams `req`'s body into a new temporary file in `dir`. Refusals (413, 408) reject as soon
 * as they are known, before the body ends: the caller answers at once, and the rest of the
 * body is read and dropped for a moment so that the client sees the answer, not a reset.
 */
export async function receiveUpload(req: LakeRequest, dir: string, limit: UploadLimit): Promise<ReceivedUpload> {
  const tooLarge = () =>
    gatewayError(
      413,
      `The ${limit.what} is larger than the local lake's limit of ${formatBytes(limit.maxBytes)} for one asset (${limit.bytesVar}); upload a smaller ${limit.what} or raise the limit`,
    )
  const http1 = req.httpVersionMajor < 2
  const refuse = <E extends Error>(err: E): E => {
    // The unread rest of the body makes the connection useless for another request.
    if (http1 && err instanceof LakeError) err.headers.connection = 'close'
    discardRest(req)
    return err
  }
  // A LakeError, not an internal one: nobody is left to answer, and it is no fault of the lake's.
  const hungUp = () => gatewayError(400, `The client closed the connection before the ${limit.what} was uploaded; nothing was stored`)
  if (Number(req.headers['content-length']) > limit.maxBytes) throw refuse(tooLarge())

  const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}${TEMP_SUFFIX}`)
  const file = await fs.promises.open(temp, 'wx', 0o600)
  const hash = createHash('sha1')
  const head: Buffer[] = []
  let headLength = 0
  let size = 0

  return new Promise<ReceivedUpload>((resolve, reject) => {
    let settled = false
    // Writes in order, one at a time; the request is paused meanwhile (backpressure).
    let writing: Promise<unknown> = Promise.resolve()

    const detach = () => {
      clearTimeout(timer)
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('close', onClose)
      req.off('error', onError)
    }
    const fail = (err: Error, cut: boolean) => {
      if (settled) return
      settled = true
      detach()
      if (cut) refuse(err)
      // The file goes only after the write in progress is done with it.
      void writing
        .catch(() => undefined)
        .then(() => file.close())
        .catch(() => undefined)
        .then(() => fs.promises.rm(temp, {force: true}))
        .catch(() => undefined)
        .then(() => reject(err))
    }
    const timer = setTimeout(() => {
      fail(
        gatewayError(408, `The ${limit.what} was not received within ${limit.timeoutMs} ms, the local lake's limit for one upload (${limit.timeoutVar}); upload it again over a faster connection or raise the limit`),
        true,
      )
    }, limit.timeoutMs)

    function onData(chunk: Buffer): void {
      size += chunk.length
      if (size > limit.maxBytes) {
        fail(tooLarge(), true)
        return
      }
      hash.update(chunk)
      if (headLength < HEAD_BYTES) {
        const part = chunk.subarray(0, HEAD_BYTES - headLength)
        head.push(Buffer.from(part))
        headLength += part.length
      }
      req.pause()
      writing = writing
        .then(() => file.write(chunk))
        .then(
          () => {
            if (!settled) req.resume()
          },
          (err: Error) => fail(new Error(`writing the upload to ${temp} failed: ${err.message}; check the disk space and permissions of the lake directory`), true),
        )
    }
    function onEnd(): void {
      detach()
      // Durable before it is renamed into place and a document points at it.
      writing
        .then(() => file.sync())
        .then(() => file.close())
        .then(
          () => {
            if (settled) return
            settled = true
            resolve({temp, size, sha1: hash.digest('hex'), head: Buffer.concat(head)})
          },
          (err: Error) => fail(new Error(`writing the upload to ${temp} failed: ${err.message}; check the disk space and permissions of the lake directory`), false),
        )
    }
    function onClose(): void {
      // Closed before the body ended: the client hung up mid-upload.
      if (!req.complete) fail(hungUp(), false)
    }
    function onError(err: Error): void {
      // Node reports a body cut off by the client as an error ("aborted") too.
      fail(req.complete ? err : hungUp(), false)
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('close', onClose)
    req.on('error', onError)
    // It may have hung up while the file was being opened.
    if (req.destroyed && !req.complete) fail(hungUp(), false)
    else req.resume()
  })
}
