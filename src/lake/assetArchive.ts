import {createHash} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {Readable} from 'node:stream'
import {pipeline} from 'node:stream/promises'
import {createGunzip, createGzip} from 'node:zlib'
import {assetFile, describeAsset, writeAssetFile} from './assets'
import type {Dataset} from './dataset'
import type {RunningLake} from './remoteTransfer'
import {readTar} from './tarball'

/**
 * Assets in `sanity dataset export` archives (`<name>/data.ndjson`, `<name>/images/<sha1>-<w>x<h>.<ext>`,
 * `<name>/files/<sha1>.<ext>`, `<name>/assets.json`): there an image field holds
 * `_sanityAsset: "image@file://./images/<file>"` instead of `asset: {_ref}`, and the asset documents
 * themselves are left out (the importer makes them again from the files).
 */

type Kind = 'image' | 'file'

const ASSET_TYPES: Record<string, Kind> = {'sanity.imageAsset': 'image', 'sanity.fileAsset': 'file'}

export interface ArchiveAsset {
  kind: Kind
  /** The file's name in images/ or files/. */
  fileName: string
  bytes: Buffer
}

function fileNameOf(doc: Record<string, unknown>): string | undefined {
  const p = typeof doc.path === 'string' ? doc.path : undefined
  return p ? path.posix.basename(p) : undefined
}

function rewrite(value: unknown, swap: (obj: Record<string, unknown>) => Record<string, unknown> | undefined): unknown {
  if (Array.isArray(value)) return value.map((item) => rewrite(item, swap))
  if (value === null || typeof value !== 'object') return value
  const obj = value as Record<string, unknown>
  const swapped = swap(obj)
  const out: Record<string, unknown> = {}
  for (const [key, child] of Object.entries(swapped ?? obj)) out[key] = rewrite(child, swap)
  return out
}

function tarHeader(name: string, size: number, mtime: number): Buffer {
  const header = Buffer.alloc(512)
  const field = (text: string, at: number, length: number) => header.write(text, at, length, 'utf8')
  const octal = (n: number, at: number, length: number) => field(n.toString(8).padStart(length - 1, '0') + '\0', at, length)
  if (Buffer.byteLength(name) > 100) throw new Error(`archive entry name too long for a tar header: ${name}`)
  field(name, 0, 100)
  octal(0o600, 100, 8)
  octal(0, 108, 8)
  octal(0, 116, 8)
  octal(size, 124, 12)
  octal(mtime, 136, 12)
  header.fill(0x20, 148, 156)
  field('0', 156, 1)
  field('ustar\0', 257, 6)
  field('00', 263, 2)
  let sum = 0
  for (const byte of header) sum += byte
  field(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8)
  return header
}

function* tarEntries(entries: Iterable<[string, Buffer]>): Generator<Buffer> {
  const mtime = Math.floor(Date.now() / 1000)
  for (const [name, data] of entries) {
    yield tarHeader(name, data.length, mtime)
    yield data
    const pad = (512 - (data.length % 512)) % 512
    if (pad) yield Buffer.alloc(pad)
  }
  yield Buffer.alloc(1024)
}

/**
 * Writes a `.tar.gz` as `sanity dataset export` does, to a temporary file renamed into place (0600:
 * it holds drafts). `readAsset` gives an asset's bytes, or undefined when its file is missing.
 */
export async function writeExportArchive(
  file: string,
  docs: Iterable<Record<string, unknown>>,
  readAsset: (kind: Kind, fileName: string, doc: Record<string, unknown>) => Promise<Buffer | undefined>,
  warn: (line: string) => void,
): Promise<{documents: number; assets: number}> {
  const base = path.basename(file).replace(/\.(tar\.gz|tgz)$/i, '') || 'export'
  const all = [...docs]
  const assets = new Map<string, {kind: Kind; fileName: string; doc: Record<string, unknown>}>()
  for (const doc of all) {
    const kind = ASSET_TYPES[String(doc._type)]
    const fileName = kind ? fileNameOf(doc) : undefined
    if (kind && fileName) assets.set(String(doc._id), {kind, fileName, doc})
  }
  const lines: string[] = []
  for (const doc of all) {
    if (assets.has(String(doc._id))) continue
    const out = rewrite(doc, (obj) => {
      const ref = (obj.asset as {_ref?: unknown} | undefined)?._ref
      const asset = typeof ref === 'string' ? assets.get(ref) : undefined
      if (!asset) return undefined
      const {asset: _dropped, ...rest} = obj
      return {...rest, _sanityAsset: `${asset.kind}@file://./${asset.kind === 'image' ? 'images' : 'files'}/${asset.fileName}`}
    })
    lines.push(JSON.stringify(out))
  }
  const entries: Array<[string, Buffer]> = [[`${base}/data.ndjson`, Buffer.from(lines.length ? lines.join('\n') + '\n' : '')]]
  const meta: Record<string, unknown> = {}
  let count = 0
  for (const [id, {kind, fileName, doc}] of assets) {
    const bytes = await readAsset(kind, fileName, doc)
    if (!bytes) {
      warn(`asset ${id}: its file ${fileName} is missing; left out of the archive`)
      continue
    }
    entries.push([`${base}/${kind === 'image' ? 'images' : 'files'}/${fileName}`, bytes])
    const {_id, _type, _rev, _createdAt, _updatedAt, url, path: _path, uploadId, ...kept} = doc
    meta[`${kind}-${fileName}`] = {_id, _type, ...kept}
    count++
  }
  entries.push([`${base}/assets.json`, Buffer.from(JSON.stringify(meta, null, 2))])
  const temp = `${file}.tmp-${process.pid}`
  try {
    await pipeline(Readable.from(tarEntries(entries)), createGzip(), fs.createWriteStream(temp, {mode: 0o600}))
    fs.renameSync(temp, file)
  } catch (err) {
    fs.rmSync(temp, {force: true})
    throw err
  }
  return {documents: lines.length + assets.size, assets: count}
}

const ASSET_ENTRY = /(?:^|\/)(images|files)\/([^/]+)$/

/**
 * The asset files of an export archive, checked (the name's sha1 must be the bytes' sha1) and
 * turned into documents, and the archive's documents with `_sanityAsset` back to `asset: {_ref}`.
 * Nothing is written: the caller stores the files before it commits the documents.
 */
export async function readArchiveAssets(
  file: string,
  docs: readonly unknown[],
  target: {origin: string; projectId: string; datasetName: string},
): Promise<{docs: unknown[]; assets: ArchiveAsset[]; assetDocs: Record<string, unknown>[]}> {
  const input = fs.createReadStream(file)
  const head = await new Promise<Buffer>((resolve, reject) => {
    const probe = fs.createReadStream(file, {start: 0, end: 1})
    const parts: Buffer[] = []
    probe.on('data', (c) => parts.push(c as Buffer)).on('end', () => resolve(Buffer.concat(parts))).on('error', reject)
  })
  const stream = head[0] === 0x1f && head[1] === 0x8b ? input.pipe(createGunzip()) : input
  const {kept} = await readTar(stream as AsyncIterable<Buffer>, (entry) => ASSET_ENTRY.test(entry) || path.posix.basename(entry) === 'assets.json')
  let meta: Record<string, Record<string, unknown>> = {}
  const assets: ArchiveAsset[] = []
  const assetDocs: Record<string, unknown>[] = []
  const idOf = new Map<string, string>()
  for (const [entry, bytes] of kept) {
    if (path.posix.basename(entry) === 'assets.json') {
      try {
        meta = JSON.parse(bytes.toString('utf8')) as typeof meta
      } catch {
        // Only titles and file names come from it; the files are what matter.
      }
    }
  }
  for (const [entry, bytes] of kept) {
    const match = ASSET_ENTRY.exec(entry)
    if (!match) continue
    const kind: Kind = match[1] === 'images' ? 'image' : 'file'
    const fileName = match[2]!
    const sha1 = createHash('sha1').update(bytes).digest('hex')
    if (!fileName.startsWith(sha1)) throw new Error(`${file}: ${entry} does not hold the bytes its name says (sha1 ${sha1}); the archive is damaged, nothing was imported`)
    const known = meta[`${kind}-${fileName}`] ?? {}
    const extra: Record<string, unknown> = {}
    for (const key of ['originalFilename', 'label', 'title', 'description', 'creditLine', 'source']) if (known[key] !== undefined) extra[key] = known[key]
    const described = await describeAsset(bytes, kind, {...target, filename: typeof known.originalFilename === 'string' ? known.originalFilename : fileName, extra}).catch((err: Error) => {
      throw new Error(`${file}: ${entry} is not a usable ${kind} (${err.message}); nothing was imported`)
    })
    if (described.fileName !== fileName) throw new Error(`${file}: ${entry} should be named ${described.fileName} (its size or type differ from its name); nothing was imported`)
    assets.push({kind, fileName, bytes})
    assetDocs.push(described.doc)
    idOf.set(`${kind}@file://./${match[1]}/${fileName}`, described.id)
  }
  const missing = new Set<string>()
  const rewritten = docs.map((doc) =>
    rewrite(doc, (obj) => {
      const ref = obj._sanityAsset
      // `image@https://…` (an export made without its assets) stays as it is.
      if (typeof ref !== 'string' || !/^(image|file)@file:\/\//.test(ref)) return undefined
      const id = idOf.get(ref)
      if (!id) {
        missing.add(ref)
        return undefined
      }
      const {_sanityAsset: _dropped, ...rest} = obj
      return {...rest, asset: {_type: 'reference', _ref: id}}
    }),
  )
  if (missing.size > 0) throw new Error(`${file}: ${missing.size} asset(s) the documents use are not in the archive (e.g. ${[...missing][0]}); nothing was imported`)
  return {docs: rewritten, assets, assetDocs}
}

/** `lake export x.tar.gz` on a stopped lake's files. */
export function exportDatasetArchive(dataset: Dataset, file: string, types: Set<string> | null, warn: (line: string) => void): Promise<{documents: number; assets: number}> {
  const docs = dataset.store.all().filter((doc) => !types || types.has(doc._type) || ASSET_TYPES[doc._type])
  return writeExportArchive(file, docs as unknown as Record<string, unknown>[], async (kind, fileName) => fs.promises.readFile(assetFile(dataset, kind, fileName)).catch(() => undefined), warn)
}

/** `lake export x.tar.gz` through a running lake's API: data/export, then each asset's file. */
export async function exportLakeArchive(lake: RunningLake, file: string, types: Set<string> | null, warn: (line: string) => void): Promise<{documents: number; assets: number}> {
  const headers = {authorization: `Bearer ${lake.token}`}
  const res = await fetch(`${lake.url}/v2025-02-19/data/export/${lake.dataset}`, {headers})
  if (!res.ok) throw new Error(`the lake on ${lake.url} refused the export: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`)
  const docs = (await res.text())
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((doc) => !types || types.has(String(doc._type)) || ASSET_TYPES[String(doc._type)])
  return writeExportArchive(
    file,
    docs,
    async (_kind, _fileName, doc) => {
      const got = await fetch(`${lake.url}/${String(doc.path)}`)
      return got.ok ? Buffer.from(await got.arrayBuffer()) : undefined
    },
    warn,
  )
}

/**
 * Stores an archive's asset files before its documents are imported: into the stopped lake's
 * directory, or uploaded to the running lake (which makes their documents; they are then left
 * out of `docs`). Returns the documents to import.
 */
export async function storeArchiveAssets(
  target: {dataset: Dataset} | {lake: RunningLake},
  archive: {docs: unknown[]; assets: ArchiveAsset[]; assetDocs: Record<string, unknown>[]},
): Promise<unknown[]> {
  if ('dataset' in target) {
    for (const asset of archive.assets) writeAssetFile(assetFile(target.dataset, asset.kind, asset.fileName), asset.bytes)
    const existing = new Set(archive.assetDocs.map((doc) => String(doc._id)).filter((id) => target.dataset.store.has(id)))
    return [...archive.assetDocs.filter((doc) => !existing.has(String(doc._id))), ...archive.docs]
  }
  const {lake} = target
  for (const [i, asset] of archive.assets.entries()) {
    const doc = archive.assetDocs[i]!
    const query = new URLSearchParams({filename: String(doc.originalFilename ?? asset.fileName)})
    const res = await fetch(`${lake.url}/v2025-02-19/assets/${asset.kind === 'image' ? 'images' : 'files'}/${lake.dataset}?${query}`, {
      method: 'POST',
      headers: {authorization: `Bearer ${lake.token}`, 'content-type': String(doc.mimeType ?? 'application/octet-stream')},
      body: new Uint8Array(asset.bytes),
    })
    if (!res.ok) throw new Error(`the lake on ${lake.url} refused the asset ${asset.fileName}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`)
  }
  return archive.docs
}
