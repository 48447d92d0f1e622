import {createHash, randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {pipeline} from 'node:stream/promises'
import type {Dataset} from './dataset'
import {apiError, gatewayError, LakeError} from './errors'
import {discardRest, sendError, type LakeRequest, type LakeResponse} from './http'
import {imageFacts, metadataParts, type ImageFacts, type MetadataPart} from './imageMetadata'
import {LIMIT_ENV, type LakeLimits, type Usage} from './limits'
import {planTransaction} from './mutations'
import {ensurePrivateDir} from './private'
import type {LakeDocument} from './store'
import {transformImage} from './imageTransform'
import {receiveUpload, removeStaleUploads, type ReceivedUpload} from './uploadReceive'

/**
 * The assets API as hosted Sanity serves it: `POST assets/images|files/:dataset` stores the bytes
 * under `$LAKE_DIR/assets/` and creates a `sanity.imageAsset` / `sanity.fileAsset` document
 * (same bytes: same document, sha1 de-duplication); `GET /images|files/:projectId/:dataset/…`
 * serves them, images with Sanity's URL parameters (imageTransform.ts).
 */

export const ASSETS_DIR = 'assets'

export interface AssetContext {
  dataset: Dataset
  projectId: string
  datasetName: string
  limits: LakeLimits
  usage: Usage
  tokenHint: string
  log: (line: string) => void
}

type Kind = 'image' | 'file'

interface Sniffed {
  mimeType: string
  extension: string
}

/** Image formats the lake accepts, by their magic bytes. */
function sniffImage(bytes: Buffer): Sniffed | undefined {
  const starts = (...sig: number[]) => sig.every((b, i) => bytes[i] === b)
  if (starts(0xff, 0xd8, 0xff)) return {mimeType: 'image/jpeg', extension: 'jpg'}
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return {mimeType: 'image/png', extension: 'png'}
  if (starts(0x52, 0x49, 0x46, 0x46) && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return {mimeType: 'image/webp', extension: 'webp'}
  if (bytes.subarray(0, 6).toString('latin1') === 'GIF87a' || bytes.subarray(0, 6).toString('latin1') === 'GIF89a') return {mimeType: 'image/gif', extension: 'gif'}
  if (bytes.subarray(4, 12).toString('latin1') === 'ftypavif') return {mimeType: 'image/avif', extension: 'avif'}
  if (starts(0x49, 0x49, 0x2a, 0x00) || starts(0x4d, 0x4d, 0x00, 0x2a)) return {mimeType: 'image/tiff', extension: 'tiff'}
  if (looksLikeSvg(bytes)) return {mimeType: 'image/svg+xml', extension: 'svg'}
  return undefined
}

/** The root element is <svg> (after an optional BOM, XML declaration, comments and doctype). */
function looksLikeSvg(bytes: Buffer): boolean {
  const head = bytes.subarray(0, 4096).toString('utf8').replace(/^\uFEFF/, '')
  const rest = head.replace(/^\s*(<\?xml[^>]*\?>\s*)?((<!--[\s\S]*?-->|<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>)\s*)*/i, '')
  return /^<svg[\s>/]/.test(rest)
}

function declaredType(req: LakeRequest): string | undefined {
  const raw = req.headers['content-type']
  const type = (Array.isArray(raw) ? raw[0] : raw)?.split(';')[0].trim().toLowerCase()
  // What @sanity/client and fetch send for a Buffer without a type: no claim about the bytes.
  if (!type || type === 'application/octet-stream' || type === 'application/x-www-form-urlencoded') return undefined
  return type
}

const SAME_TYPE: Record<string, string> = {'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg', 'image/svg': 'image/svg+xml'}

const EXTENSION_OF: Record<string, string> = {
  'application/pdf': 'pdf',
  'text/plain': 'txt',
  'application/json': 'json',
  'text/csv': 'csv',
  'audio/mpeg': 'mp3',
  'video/mp4': 'mp4',
  'application/zip': 'zip',
}

function extensionOf(filename: string | null, mimeType: string): string {
  const fromName = filename ? /\.([A-Za-z0-9]{1,10})$/.exec(filename)?.[1]?.toLowerCase() : undefined
  return fromName ?? EXTENSION_OF[mimeType] ?? 'bin'
}

/** 0600 file written to a temporary name, fsynced and renamed: readers see all of it or nothing. */
export function writeAssetFile(file: string, bytes: Buffer): boolean {
  ensurePrivateDir(path.dirname(path.dirname(file)))
  ensurePrivateDir(path.dirname(file))
  if (fs.existsSync(file)) return false
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`
  const fd = fs.openSync(temp, 'wx', 0o600)
  try {
    fs.writeSync(fd, bytes)
    fs.fsyncSync(fd)
    fs.closeSync(fd)
    fs.renameSync(temp, file)
  } catch (err) {
    try {
      fs.closeSync(fd)
    } catch {
      // closed before the failure
    }
    fs.rmSync(temp, {force: true})
    throw err
  }
  return true
}

function assetRoot(dataset: Dataset): string {
  return path.join(dataset.dir, ASSETS_DIR)
}

/** Where an asset's bytes live: `assets/images/<sha1>-<w>x<h>.<ext>`, `assets/files/<sha1>.<ext>` (as `sanity dataset export` names them). */
export function assetFile(dataset: Dataset, kind: Kind, fileName: string): string {
  return path.join(assetRoot(dataset), kind === 'image' ? 'images' : 'files', fileName)
}

function origin(req: LakeRequest): string {
  const host = req.headers.host ?? (req.headers as Record<string, unknown>)[':authority']
  const secure = 'encrypted' in req.socket && (req.socket as {encrypted?: boolean}).encrypted === true
  return `${secure ? 'https' : 'http'}://${String(host ?? '127.0.0.1')}`
}

export interface DescribedAsset {
  id: string
  /** The file's name under assets/images or assets/files. */
  fileName: string
  doc: Record<string, unknown>
}

/** An asset's content: its bytes, or the file they were received into (with what was computed on the way). */
export interface AssetSource {
  input: Buffer | string
  /** The first bytes, for sniffing the type. */
  head: Buffer
  sha1: string
  size: number
}

export interface DescribeOptions {
  filename?: string | null
  declared?: string
  origin: string
  projectId: string
  datasetName: string
  extra?: Record<string, unknown>
  /** Image metadata to extract (`?meta=`); Sanity's defaults when not given. */
  parts?: Set<MetadataPart>
}

/**
 * Checks an asset's bytes and builds its document, as an upload does: an image must be one
 * (magic bytes, a Content-Type that agrees, readable by sharp); the id comes from the sha1.
 */
export async function describeAsset(bytes: Buffer, kind: Kind, options: DescribeOptions): Promise<DescribedAsset> {
  return describeSource({input: bytes, head: bytes, sha1: createHash('sha1').update(bytes).digest('hex'), size: bytes.length}, kind, options)
}

async function describeSource(source: AssetSource, kind: Kind, options: DescribeOptions): Promise<DescribedAsset> {
  const {filename, declared} = options
  const sniffed = sniffImage(source.head)
  let mimeType: string
  let extension: string
  let facts: ImageFacts | undefined
  if (kind === 'image') {
    if (!sniffed) throw apiError(400, 'invalidImage', 'Invalid image: the bytes are not a JPEG, PNG, WebP, GIF, AVIF, TIFF or SVG image; upload other files to assets/files')
    if (declared && (SAME_TYPE[declared] ?? declared) !== sniffed.mimeType) {
      throw apiError(415, 'contentTypeMismatch', `Content-Type says ${declared} but the bytes are ${sniffed.mimeType}; send the right Content-Type (or none)`)
    }
    facts = await imageFacts(source.input, sniffed, options.parts ?? metadataParts([]))
    ;({mimeType, extension} = sniffed)
  } else {
    // A file claiming an image type must be that image; other types are taken at their word.
    if (declared?.startsWith('image/') && (!sniffed || (SAME_TYPE[declared] ?? declared) !== sniffed.mimeType)) {
      throw apiError(415, 'contentTypeMismatch', `Content-Type says ${declared} but the bytes are ${sniffed?.mimeType ?? 'not that image'}; send the right Content-Type`)
    }
    mimeType = declared ?? sniffed?.mimeType ?? 'application/octet-stream'
    extension = sniffed?.extension ?? extensionOf(filename ?? null, mimeType)
  }
  const {sha1} = source
  const fileName = facts ? `${sha1}-${facts.width}x${facts.height}.${extension}` : `${sha1}.${extension}`
  const id = facts ? `image-${sha1}-${facts.width}x${facts.height}-${extension}` : `file-${sha1}-${extension}`
  const assetPath = `${kind === 'image' ? 'images' : 'files'}/${options.projectId}/${options.datasetName}/${fileName}`
  const doc: Record<string, unknown> = {
    _id: id,
    _type: kind === 'image' ? 'sanity.imageAsset' : 'sanity.fileAsset',
    assetId: sha1,
    extension,
    mimeType,
    originalFilename: filename || fileName,
    path: assetPath,
    sha1hash: sha1,
    size: source.size,
    uploadId: randomBytes(16).toString('base64url'),
    url: `${options.origin}/${assetPath}`,
    ...options.extra,
  }
  if (facts) doc.metadata = facts.metadata
  return {id, fileName, doc}
}

/** Datasets whose leftover upload files (from a lake stopped mid-upload) have been removed. */
const swept = new WeakSet<Dataset>()

/** `POST /v…/assets/images|files/:dataset`: the body is the file, streamed to disk (uploadReceive.ts). */
export async function handleAssetUpload(
  ctx: AssetContext,
  call: {req: LakeRequest; res: LakeResponse; url: URL; method: string; access: string; identity: string},
  kindSegment: string | undefined,
): Promise<void> {
  const {req, res, url, method, access} = call
  if (kindSegment !== 'images' && kindSegment !== 'files') throw gatewayError(404, `No such asset type "${kindSegment ?? ''}": upload to assets/images/${ctx.datasetName} or assets/files/${ctx.datasetName}`)
  if (method !== 'POST') throw gatewayError(405, `${method} is not allowed here; use POST with the file as the body`)
  if (access !== 'token') {
    discardRest(req)
    throw gatewayError(401, `Authentication required: uploading assets needs Authorization: Bearer <token> (${ctx.tokenHint})`)
  }
  const kind: Kind = kindSegment === 'images' ? 'image' : 'file'
  const q = url.searchParams
  let parts: Set<MetadataPart>
  try {
    parts = metadataParts(q.getAll('meta'))
  } catch (err) {
    discardRest(req)
    throw err
  }
  const {dataset} = ctx
  const root = assetRoot(dataset)
  ensurePrivateDir(path.dirname(root))
  ensurePrivateDir(root)
  if (!swept.has(dataset)) {
    // Synchronously, before this upload's own file exists: no upload of this process is under way yet.
    swept.add(dataset)
    removeStaleUploads(root)
  }
  // Same directory as the final files' folders: the rename into place is atomic.
  const received = await receiveUpload(req, root, {
    maxBytes: ctx.limits.assetBytes,
    timeoutMs: ctx.limits.bodyTimeoutMs.token,
    what: kind,
    bytesVar: LIMIT_ENV.assetBytes,
    timeoutVar: LIMIT_ENV.bodyTimeoutMs.token,
  })
  let document: unknown
  try {
    document = await storeReceived(ctx, call, kind, received, parts)
  } finally {
    // Refused, de-duplicated or already stored: the received copy goes, before the answer
    // (once moved into place, its temporary name is gone and this does nothing).
    fs.rmSync(received.temp, {force: true})
  }
  sendJson200(res, document)
}

/** Checks a received upload and moves it into place under its sha1 name; returns the asset document. */
async function storeReceived(
  ctx: AssetContext,
  call: {req: LakeRequest; url: URL; identity: string},
  kind: Kind,
  received: ReceivedUpload,
  parts: Set<MetadataPart>,
): Promise<unknown> {
  if (received.size === 0) throw apiError(400, 'emptyUpload', `The upload is empty (0 bytes): send the ${kind}'s bytes as the request body`)
  const q = call.url.searchParams
  const extra: Record<string, unknown> = {}
  for (const key of ['label', 'title', 'description', 'creditLine'] as const) {
    const value = q.get(key)
    if (value) extra[key] = value
  }
  const sourceName = q.get('sourceName')
  const sourceId = q.get('sourceId')
  if (sourceName && sourceId) extra.source = {name: sourceName, id: sourceId, ...(q.get('sourceUrl') ? {url: q.get('sourceUrl')} : {})}
  const {id, fileName, doc} = await describeSource({input: received.temp, head: received.head, sha1: received.sha1, size: received.size}, kind, {
    filename: q.get('filename'),
    declared: declaredType(call.req),
    origin: origin(call.req),
    projectId: ctx.projectId,
    datasetName: ctx.datasetName,
    extra,
    parts,
  })
  const {dataset} = ctx
  const existing = dataset.store.get(id)
  if (existing) return existing
  // The bytes are on disk before the document that points at them is committed.
  const file = assetFile(dataset, kind, fileName)
  ensurePrivateDir(path.dirname(file))
  let created = false
  if (!fs.existsSync(file)) {
    fs.renameSync(received.temp, file)
    created = true
  }
  try {
    const durable = await dataset.exclusive(async () => {
      const plan = await planTransaction(dataset.pending, {mutations: [{createIfNotExists: doc}]}, {
        identity: call.identity,
        projectId: ctx.projectId,
        datasetName: ctx.datasetName,
      })
      dataset.assertUnusedTransactionId(plan.transactionId)
      return plan.changes.length > 0 ? dataset.commit(plan) : undefined
    })
    await durable
  } catch (err) {
    // Moved into place but never committed: nothing points at it.
    if (created && !dataset.pending.get(id)) fs.rmSync(file, {force: true})
    throw err
  }
  return dataset.store.get(id) ?? (doc as LakeDocument)
}

function sendJson200(res: LakeResponse, document: unknown): void {
  const payload = JSON.stringify({document})
  res.writeHead(200, {'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload)})
  res.end(payload)
}

/** Never run as a page: an SVG (or an uploaded HTML file) opened directly gets no scripts and no origin. */
const ASSET_HEADERS = {
  'content-security-policy': "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox",
  'x-content-type-options': 'nosniff',
  'cross-origin-resource-policy': 'cross-origin',
  'cache-control': 'public, max-age=31536000, immutable',
}

const IMAGE_NAME = /^([0-9a-f]{40})-(\d{1,5})x(\d{1,5})\.([a-z0-9]{1,10})$/
const FILE_NAME = /^([0-9a-f]{40})\.([a-z0-9]{1,10})$/

/** `GET|HEAD /images|files/:projectId/:dataset/:name`: public, as a public dataset's CDN is. */
export async function serveAsset(ctx: AssetContext, req: LakeRequest, res: LakeResponse, url: URL, method: string, segments: string[]): Promise<void> {
  const [folder, projectId, datasetName, name] = segments
  if (method !== 'GET' && method !== 'HEAD') throw gatewayError(405, `${method} is not allowed on assets; use GET`)
  if (segments.length !== 4 || projectId !== ctx.projectId || datasetName !== ctx.datasetName) {
    throw gatewayError(404, `No such asset: ${url.pathname} (assets are at /${folder}/${ctx.projectId}/${ctx.datasetName}/<name>)`)
  }
  const kind: Kind = folder === 'images' ? 'image' : 'file'
  const match = kind === 'image' ? IMAGE_NAME.exec(name) : FILE_NAME.exec(name)
  const id = match ? (kind === 'image' ? `image-${match[1]}-${match[2]}x${match[3]}-${match[4]}` : `file-${match[1]}-${match[2]}`) : undefined
  const doc = id ? ctx.dataset.store.get(id) : undefined
  if (!doc) throw gatewayError(404, `No such ${kind}: ${url.pathname}`)
  const file = assetFile(ctx.dataset, kind, name)
  let size: number
  try {
    size = (await fs.promises.stat(file)).size
  } catch {
    throw gatewayError(404, `The ${kind} ${name} is in the dataset but its file is missing from ${path.join(ASSETS_DIR, folder)}; import the export that has it`)
  }
  const headers: Record<string, string> = {...ASSET_HEADERS}
  if (kind === 'image' && hasTransformParams(url.searchParams)) {
    const out = await transformImage(file, url.searchParams, String(req.headers.accept ?? ''))
    if (out.variesByAccept) headers.vary = 'Accept'
    res.writeHead(200, {...headers, 'content-type': out.mimeType, 'content-length': String(out.bytes.length)})
    res.end(method === 'HEAD' ? undefined : out.bytes)
    return
  }
  if (kind === 'file' && url.searchParams.has('dl')) {
    const dl = url.searchParams.get('dl') || String(doc.originalFilename ?? name)
    headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(dl)}`
  }
  res.writeHead(200, {...headers, 'content-type': String(doc.mimeType ?? 'application/octet-stream'), 'content-length': String(size)})
  if (method === 'HEAD') {
    res.end()
    return
  }
  // Streamed: anyone may ask for an original, and one of 50 MB need not be held per request.
  await pipeline(fs.createReadStream(file), res as unknown as NodeJS.WritableStream).catch(() => {
    // The reader went away (the stream is destroyed with the response) or the file vanished mid-read.
  })
}

function hasTransformParams(params: URLSearchParams): boolean {
  for (const key of params.keys()) if (key !== 'dl') return true
  return false
}

/** For routes.ts: answers /images/… and /files/… before the /v{apiVersion} check; false for other paths. */
export function routeAssetFiles(ctx: AssetContext, req: LakeRequest, res: LakeResponse, url: URL, method: string): boolean {
  const segments = url.pathname.split('/').filter((s) => s !== '')
  if (segments[0] !== 'images' && segments[0] !== 'files') return false
  serveAsset(ctx, req, res, url, method, segments).catch((err: unknown) => {
    if (err instanceof LakeError) return sendError(res, err)
    ctx.log(`internal error serving ${url.pathname}: ${(err as Error)?.stack ?? String(err)}`)
    sendError(res, gatewayError(500, 'Internal error serving an asset; see the lake log'))
  })
  return true
}
