import fs from 'node:fs'
import path from 'node:path'
import {Readable} from 'node:stream'
import {createGunzip} from 'node:zlib'
import {readTar} from './tarball'

/**
 * What `npm run lake -- import` reads: NDJSON (one document a line), or the `.tar.gz` that
 * `sanity dataset export` writes (its `data.ndjson`; the asset files are counted here and read
 * by assetArchive.ts), from a file or, for `-`, from stdin. Gzip is recognised by its magic bytes
 * and a tar by its header, not by the file name.
 */
export interface ImportSource {
  docs: unknown[]
  /** Asset files in the archive (not read here; assetArchive.ts stores them). */
  skippedAssets: number
  /** Fields that point at an archive's asset files (`_sanityAsset`), kept as they are. */
  assetFields: number
}

async function* chunksOf(stream: NodeJS.ReadableStream): AsyncGenerator<Buffer> {
  for await (const chunk of stream as AsyncIterable<Buffer | string>) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk
}

/** The first bytes of a stream, and the whole stream again (those bytes first). */
async function peek(stream: NodeJS.ReadableStream, bytes: number): Promise<{head: Buffer; all: AsyncGenerator<Buffer>}> {
  const iterator = chunksOf(stream)
  const seen: Buffer[] = []
  let length = 0
  let done = false
  while (length < bytes) {
    const next = await iterator.next()
    if (next.done) {
      done = true
      break
    }
    seen.push(next.value)
    length += next.value.length
  }
  const head = Buffer.concat(seen)
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head
    if (!done) yield* iterator
  }
  return {head, all: all()}
}

function isTarHeader(block: Buffer): boolean {
  return block.length >= 512 && block.toString('latin1', 257, 262) === 'ustar'
}

function parseNdjson(text: string, label: string): unknown[] {
  const docs: unknown[] = []
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.trim() === '') continue
    try {
      docs.push(JSON.parse(line))
    } catch (err) {
      throw new Error(`${label}:${i + 1} is not valid JSON (${(err as Error).message}); nothing was imported`)
    }
  }
  return docs
}

function countAssetFields(value: unknown): number {
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + countAssetFields(item), 0)
  if (value === null || typeof value !== 'object') return 0
  let n = 0
  for (const [key, child] of Object.entries(value)) n += key === '_sanityAsset' ? 1 : countAssetFields(child)
  return n
}

export async function readImportSource(file: string): Promise<ImportSource> {
  const label = file === '-' ? 'stdin' : file
  const input = file === '-' ? process.stdin : fs.createReadStream(file)
  let {head, all} = await peek(input, 2)
  if (head[0] === 0x1f && head[1] === 0x8b) {
    ;({head, all} = await peek(Readable.from(all).pipe(createGunzip()), 512))
  } else {
    ;({head, all} = await peek(Readable.from(all), 512))
  }
  if (!isTarHeader(head)) {
    const parts: Buffer[] = []
    for await (const chunk of all) parts.push(chunk)
    return {docs: parseNdjson(Buffer.concat(parts).toString('utf8'), label), skippedAssets: 0, assetFields: 0}
  }
  const {kept, skipped} = await readTar(all, (entry) => path.posix.basename(entry) === 'data.ndjson')
  if (kept.size === 0) throw new Error(`${label} is a tar archive without a data.ndjson (is it a \`sanity dataset export\` archive?); nothing was imported`)
  if (kept.size > 1) throw new Error(`${label} holds ${kept.size} data.ndjson files (${[...kept.keys()].join(', ')}); give an archive with one; nothing was imported`)
  const [entry, data] = [...kept][0]!
  const docs = parseNdjson(data.toString('utf8'), `${label}:${entry}`)
  const skippedAssets = skipped.filter((e) => /(^|\/)(images|files)\//.test(e.path)).length
  return {docs, skippedAssets, assetFields: countAssetFields(docs)}
}
