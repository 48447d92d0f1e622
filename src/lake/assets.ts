import {createHash, randomBytes} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import type {Metadata} from 'sharp'
import type {Dataset} from './dataset'
import {apiError, gatewayError, LakeError} from './errors'
import {discardRest, readBody, sendError, type LakeRequest, type LakeResponse} from './http'
import {bodyLimitFor, LIMIT_ENV, type LakeLimits, type Usage} from './limits'
import {planTransaction} from './mutations'
import {ensurePrivateDir} from './private'
import type {LakeDocument} from './store'
import {MAX_PIXELS, transformImage} from './imageTransform'

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

interface ImageFacts {
  width: number
  height: number
  hasAlpha: boolean
  metadata: Record<string, unknown>
}

function hex(n: number): string {
  return Math.round(n).toString(16).padStart(2, '0')
}

async function imageFacts(bytes: Buffer, sniffed: Sniffed): Promise<ImageFacts> {
  let meta: Metadata
  try {
    meta = await sharp(bytes).metadata()
  } catch (err) {
    throw apiError(400, 'invalidImage', `Invalid image: the bytes look like ${sniffed.mimeType} but could not be read (${(err as Error).message}); upload an intact image`)
  }
  if (sniffed.extension === 'svg' && meta.format !== 'svg') throw apiError(400, 'invalidImage', 'Invalid image: the SVG could not be parsed as SVG; upload a well-formed SVG document')
  const rotated = (meta.orientation ?? 1) >= 5
  const width = rotated ? meta.height : meta.width
  const height = rotated ? meta.width : meta.height
  if (!width || !height) throw apiError(400, 'invalidImage', 'Invalid image: it has no width or height')
  // A small file can hold a huge image (a decompression bomb): sharp decodes it below for the palette.
  if (width * height > MAX_PIXELS) {
    throw apiError(413, 'imageTooLarge', `The image is ${width}×${height} pixels, more than the local lake takes (${MAX_PIXELS} pixels); upload a smaller one`)
  }
  const hasAlpha = meta.hasAlpha === true
  // A 20-px-wide blurred preview, as Sanity's lqip: a data: URL the page shows until the image loads.
  const lqipBytes = await sharp(bytes, {limitInputPixels: MAX_PIXELS}).rotate().resize(20, undefined, {fit: 'inside'}).jpeg({quality: 40}).toBuffer()
  const stats = await sharp(bytes, {limitInputPixels: MAX_PIXELS}).stats()
  const {r, g, b} = stats.dominant
  const light = 0.299 * r + 0.587 * g + 0.114 * b > 150
  const swatch = {
    _type: 'sanity.imagePaletteSwatch',
    background: `#${hex(r)}${hex(g)}${hex(b)}`,
    foreground: light ? '#000' : '#fff',
    title: light ? '#000' : '#fff',
    population: 1,
  }
  return {
    width,
    height,
    hasAlpha,
    metadata: {
      _type: 'sanity.imageMetadata',
      dimensions: {_type: 'sanity.imageDimensions', width, height, aspectRatio: width / height},
      hasAlpha,
      isOpaque: stats.isOpaque,
      lqip: `data:image/jpeg;base64,${lqipBytes.toString('base64')}`,
      palette: {_type: 'sanity.imagePalette', dominant: swatch},
    },
  }
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

/**
 * Checks an asset's bytes and builds its document, as an upload does: an image must be one
 * (magic bytes, a Content-Type that agrees, readable by sharp); the id comes from the sha1.
 */
export async function describeAsset(
  bytes: Buffer,
  kind: Kind,
  options: {filename?: string | null; declared?: string; origin: string; projectId: string; datasetName: string; extra?: Record<string, unknown>},
): Promise<DescribedAsset> {
  const {filename, declared} = options
  const sniffed = sniffImage(bytes)
  let mimeType: string
  let extension: string
  let facts: ImageFacts | undefined
  if (kind === 'image') {
    if (!sniffed) throw apiError(400, 'invalidImage', 'Invalid image: the bytes are not a JPEG, PNG, WebP, GIF, AVIF, TIFF or SVG image; upload other files to assets/files')
    if (declared && (SAME_TYPE[declared] ?? declared) !== sniffed.mimeType) {
      throw apiError(415, 'contentTypeMismatch', `Content-Type says ${declared} but the bytes are ${sniffed.mimeType}; send the right Content-Type (or none)`)
    }
    facts = await imageFacts(bytes, sniffed)
    ;({mimeType, extension} = sniffed)
  } else {
    // A file claiming an image type must be that image; other types are taken at their word.
    if (declared?.startsWith('image/') && (!sniffed || (SAME_TYPE[declared] ?? declared) !== sniffed.mimeType)) {
      throw apiError(415, 'contentTypeMismatch', `Content-Type says ${declared} but the bytes are ${sniffed?.mimeType ?? 'not that image'}; send the right Content-Type`)
    }
    mimeType = declared ?? sniffed?.mimeType ?? 'application/octet-stream'
    extension = sniffed?.extension ?? extensionOf(filename ?? null, mimeType)
  }
  const sha1 = createHash('sha1').update(bytes).digest('hex')
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
    size: bytes.length,
    uploadId: randomBytes(16).toString('base64url'),
    url: `${options.origin}/${assetPath}`,
    ...options.extra,
  }
  if (facts) doc.metadata = facts.metadata
  return {id, fileName, doc}
}

/** `POST /v…/assets/images|files/:dataset`: the body is the file. */
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
  const limit = {...bodyLimitFor(ctx.limits, ctx.usage, access), maxBytes: ctx.limits.assetBytes, bytesVar: LIMIT_ENV.assetBytes, who: 'asset uploads'}
  let bytes: Buffer
  try {
    bytes = await readBody(req, limit)
  } catch (err) {
    if (err instanceof LakeError && err.status === 413) {
      throw gatewayError(413, `The ${kind} is larger than the local lake's limit of ${limit.maxBytes} bytes for one asset (${LIMIT_ENV.assetBytes}); upload a smaller ${kind} or raise the limit`)
    }
    throw err
  }
  if (bytes.length === 0) throw apiError(400, 'emptyUpload', `The upload is empty (0 bytes): send the ${kind}'s bytes as the request body`)
  const q = url.searchParams
  const extra: Record<string, unknown> = {}
  for (const key of ['label', 'title', 'description', 'creditLine'] as const) {
    const value = q.get(key)
    if (value) extra[key] = value
  }
  const sourceName = q.get('sourceName')
  const sourceId = q.get('sourceId')
  if (sourceName && sourceId) extra.source = {name: sourceName, id: sourceId, ...(q.get('sourceUrl') ? {url: q.get('sourceUrl')} : {})}
  const {id, fileName, doc} = await describeAsset(bytes, kind, {
    filename: q.get('filename'),
    declared: declaredType(req),
    origin: origin(req),
    projectId: ctx.projectId,
    datasetName: ctx.datasetName,
    extra,
  })
  const {dataset} = ctx
  const existing = dataset.store.get(id)
  if (existing) {
    sendJson200(res, existing)
    return
  }
  // The bytes are on disk before the document that points at them is committed.
  const file = assetFile(dataset, kind, fileName)
  const created = writeAssetFile(file, bytes)
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
    if (created && !dataset.pending.get(id)) fs.rmSync(file, {force: true})
    throw err
  }
  sendJson200(res, dataset.store.get(id) ?? (doc as LakeDocument))
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
  let bytes: Buffer
  try {
    bytes = await fs.promises.readFile(assetFile(ctx.dataset, kind, name))
  } catch {
    throw gatewayError(404, `The ${kind} ${name} is in the dataset but its file is missing from ${path.join(ASSETS_DIR, folder)}; import the export that has it`)
  }
  const mimeType = String(doc.mimeType ?? 'application/octet-stream')
  const headers: Record<string, string> = {...ASSET_HEADERS}
  let body = bytes
  let type = mimeType
  if (kind === 'image' && hasTransformParams(url.searchParams)) {
    const out = await transformImage(bytes, url.searchParams, String(req.headers.accept ?? ''))
    body = out.bytes
    type = out.mimeType
    if (out.variesByAccept) headers.vary = 'Accept'
  }
  if (kind === 'file' && url.searchParams.has('dl')) {
    const dl = url.searchParams.get('dl') || String(doc.originalFilename ?? name)
    headers['content-disposition'] = `attachment; filename*=UTF-8''${encodeURIComponent(dl)}`
  }
  res.writeHead(200, {...headers, 'content-type': type, 'content-length': String(body.length)})
  res.end(method === 'HEAD' ? undefined : body)
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
