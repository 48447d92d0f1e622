/**
 * A small streaming tar reader (ustar, pax and GNU long names), enough for the archives
 * `sanity dataset export` writes: `<name>/data.ndjson` plus `images/` and `files/`. Only the
 * entries `keep` asks for are held in memory; the others are counted and skipped as they stream by.
 */

export interface TarEntry {
  path: string
  size: number
}

export interface TarContents {
  kept: Map<string, Buffer>
  skipped: TarEntry[]
}

const BLOCK = 512

function cString(block: Buffer, start: number, length: number): string {
  const end = block.indexOf(0, start)
  return block.toString('utf8', start, end === -1 || end > start + length ? start + length : end)
}

function octal(block: Buffer, start: number, length: number, what: string): number {
  // Sizes of 8 GiB and more are base-256: a set high bit, then big-endian bytes.
  if (block[start]! & 0x80) {
    let value = block[start]! & 0x7f
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!
    return value
  }
  const text = cString(block, start, length).trim()
  if (!/^[0-7]*$/.test(text)) throw new Error(`not a tar archive: the ${what} field of a header is "${text.slice(0, 20)}"`)
  return text === '' ? 0 : parseInt(text, 8)
}

function checksumMatches(block: Buffer): boolean {
  let sum = 0
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!
  return sum === octal(block, 148, 8, 'checksum')
}

/** `len key=value\n` records of a pax extended header. */
function paxPath(body: Buffer): string | undefined {
  let at = 0
  let path: string | undefined
  while (at < body.length) {
    const space = body.indexOf(0x20, at)
    if (space === -1) break
    const length = Number(body.toString('utf8', at, space))
    if (!Number.isInteger(length) || length <= 0) break
    const record = body.toString('utf8', space + 1, at + length - 1)
    const eq = record.indexOf('=')
    if (record.slice(0, eq) === 'path') path = record.slice(eq + 1)
    at += length
  }
  return path
}

/** Reads a tar stream (already gunzipped). Throws on a damaged header or an archive cut short. */
export async function readTar(chunks: AsyncIterable<Buffer>, keep: (path: string) => boolean): Promise<TarContents> {
  const kept = new Map<string, Buffer>()
  const skipped: TarEntry[] = []
  let pending: Buffer = Buffer.alloc(0)
  // The entry whose body is streaming by, and what is left of it (with padding).
  let body: {entry: TarEntry; type: string; parts: Buffer[] | null; left: number; padding: number} | null = null
  let nextPath: string | undefined
  let ended = false

  const finishBody = (): void => {
    if (!body) return
    const {entry, type, parts} = body
    body = null
    const data = parts ? Buffer.concat(parts) : null
    if (type === 'x' && data) nextPath = paxPath(data) ?? nextPath
    else if (type === 'L' && data) nextPath = cString(data, 0, data.length)
    else if (type === '0' || type === '' || type === '7') {
      if (data) kept.set(entry.path, data)
      else skipped.push(entry)
    }
  }

  for await (const chunk of chunks) {
    if (ended) continue
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    while (!ended) {
      if (body) {
        if (body.left > 0) {
          const take = Math.min(body.left, pending.length)
          if (take === 0) break
          if (body.parts) body.parts.push(pending.subarray(0, take))
          body.left -= take
          pending = pending.subarray(take)
          continue
        }
        if (pending.length < body.padding) break
        pending = pending.subarray(body.padding)
        finishBody()
        continue
      }
      if (pending.length < BLOCK) break
      const header = pending.subarray(0, BLOCK)
      pending = pending.subarray(BLOCK)
      if (header.every((b) => b === 0)) {
        ended = true // the end-of-archive blocks
        break
      }
      if (!checksumMatches(header)) throw new Error('not a tar archive, or a damaged one: a header checksum does not match')
      const type = String.fromCharCode(header[156]!).replace('\0', '')
      const size = octal(header, 124, 12, 'size')
      const prefix = header.toString('latin1', 257, 262) === 'ustar' ? cString(header, 345, 155) : ''
      const path = nextPath ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100))
      if (type !== 'x' && type !== 'L' && type !== 'g') nextPath = undefined
      const entry = {path, size}
      const wanted = type === 'x' || type === 'L' || ((type === '0' || type === '' || type === '7') && keep(path))
      body = {entry, type, parts: wanted ? [] : null, left: size, padding: (BLOCK - (size % BLOCK)) % BLOCK}
    }
  }
  if (body || (!ended && pending.length > 0)) throw new Error('the tar archive is cut short (an entry ends before its declared size)')
  return {kept, skipped}
}
