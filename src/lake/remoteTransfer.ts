import type {Writable} from 'node:stream'
import type {ImportMode} from './dataset'
import {idProblem, isDraftOrVersionId} from './ids'
import {strongRefs} from './store'

/**
 * `npm run lake -- import|export` against a lake that is running (it owns the directory, so the
 * files cannot be touched): over its HTTP API, as `sanity dataset import|export` talk to hosted
 * Sanity. Export is `GET data/export`; import is mutations in transactions of at most
 * BATCH_BYTES, `create` / `createOrReplace` / `createIfNotExists` for fail / --replace /
 * --missing. A transaction must leave no strong reference dangling, so documents are sent in
 * an order where what they reference comes first (a reference cycle goes in one transaction),
 * and an import that fits one transaction is applied whole or not at all.
 * The API keeps a given `_createdAt`; `_rev` and `_updatedAt` are the lake's, as on hosted Sanity.
 */

export interface RunningLake {
  url: string
  token: string
  dataset: string
}

const API = 'v2025-02-19'
/** One transaction's body at most (hosted Sanity takes a few MB per mutation request). */
export const BATCH_BYTES = 4 * 1024 * 1024
const IDS_PER_QUERY = 1000

async function call(lake: RunningLake, method: string, pathname: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${lake.url}/${API}/${pathname}`, {
    method,
    headers: {authorization: `Bearer ${lake.token}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  if (!res.ok) {
    const text = await res.text()
    let description = text.slice(0, 500)
    try {
      const parsed = JSON.parse(text) as {error?: {description?: string} | string; message?: string}
      description = (typeof parsed.error === 'object' ? parsed.error.description : undefined) ?? parsed.message ?? description
    } catch {
      // not JSON: the text as it is
    }
    throw new Error(`${method} ${lake.url}/${API}/${pathname.split('?')[0]} answered ${res.status}: ${description}`)
  }
  return res
}

/** Streams the lake's export into `out`; returns the number of documents. */
export async function exportFromLake(lake: RunningLake, types: Set<string> | null, out: Writable, progress: (docs: number) => void): Promise<number> {
  const query = types ? `?types=${encodeURIComponent([...types].join(','))}` : ''
  const res = await call(lake, 'GET', `data/export/${lake.dataset}${query}`)
  let docs = 0
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    for (const byte of chunk) if (byte === 10) docs++
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', resolve))
    progress(docs)
  }
  return docs
}

interface Doc {
  _id: string
  _type: string
  [field: string]: unknown
}

function checkDocs(raw: readonly unknown[]): Doc[] {
  const seen = new Set<string>()
  return raw.map((value, i) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`line ${i + 1}: not a JSON object`)
    const doc = value as Doc
    const problem = idProblem(doc._id)
    if (problem) throw new Error(`line ${i + 1}: invalid _id ${JSON.stringify(doc._id)}: ${problem}`)
    if (typeof doc._type !== 'string' || doc._type === '') throw new Error(`line ${i + 1}: document "${doc._id}" has no _type`)
    if (seen.has(doc._id)) throw new Error(`line ${i + 1}: duplicate _id "${doc._id}" in the import file`)
    seen.add(doc._id)
    return doc
  })
}

/** Which of `ids` exist in the lake (any path: drafts and versions too). */
async function existing(lake: RunningLake, ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>()
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const res = await call(lake, 'POST', `data/query/${lake.dataset}?perspective=raw`, {query: '*[_id in $ids]._id', params: {ids: ids.slice(i, i + IDS_PER_QUERY)}})
    for (const id of ((await res.json()) as {result: string[]}).result) found.add(id)
  }
  return found
}

/**
 * The documents in an order where strong references point backwards, as groups that must share
 * a transaction (the strongly connected components, Tarjan's algorithm without recursion).
 */
function referenceOrder(docs: readonly Doc[]): Doc[][] {
  const byId = new Map(docs.map((doc) => [doc._id, doc]))
  const edges = new Map<string, string[]>()
  for (const doc of docs) {
    edges.set(doc._id, isDraftOrVersionId(doc._id) ? [] : [...strongRefs(doc)].filter((target) => byId.has(target) && target !== doc._id))
  }
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const groups: Doc[][] = []
  let counter = 0
  for (const root of docs) {
    if (index.has(root._id)) continue
    const work: Array<{id: string; next: number}> = [{id: root._id, next: 0}]
    index.set(root._id, counter)
    low.set(root._id, counter++)
    stack.push(root._id)
    onStack.add(root._id)
    while (work.length > 0) {
      const frame = work[work.length - 1]!
      const targets = edges.get(frame.id)!
      if (frame.next < targets.length) {
        const target = targets[frame.next++]!
        if (!index.has(target)) {
          index.set(target, counter)
          low.set(target, counter++)
          stack.push(target)
          onStack.add(target)
          work.push({id: target, next: 0})
        } else if (onStack.has(target)) {
          low.set(frame.id, Math.min(low.get(frame.id)!, index.get(target)!))
        }
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!))
      if (low.get(frame.id) === index.get(frame.id)) {
        const group: Doc[] = []
        let id: string
        do {
          id = stack.pop()!
          onStack.delete(id)
          group.push(byId.get(id)!)
        } while (id !== frame.id)
        // Tarjan emits a component after every component it references: the order wanted.
        groups.push(group)
      }
    }
  }
  return groups
}

export interface ImportResult {
  created: number
  replaced: number
  skipped: number
}

export async function importIntoLake(
  lake: RunningLake,
  raw: readonly unknown[],
  mode: ImportMode,
  progress: (done: number, total: number) => void,
): Promise<ImportResult> {
  const docs = checkDocs(raw)
  const ids = docs.map((doc) => doc._id)
  const targets = new Set<string>()
  const importing = new Set(ids)
  for (const doc of docs) {
    if (isDraftOrVersionId(doc._id)) continue
    for (const target of strongRefs(doc)) if (!importing.has(target)) targets.add(target)
  }
  const found = await existing(lake, [...ids, ...targets])
  const clashes = ids.filter((id) => found.has(id))
  if (mode === 'fail' && clashes.length > 0) {
    const list = clashes.slice(0, 5).map((id) => `"${id}"`).join(', ')
    throw new Error(`${clashes.length} document(s) already exist (${list}${clashes.length > 5 ? ', …' : ''}); use --replace to overwrite them or --missing to skip them`)
  }
  for (const doc of docs) {
    if (isDraftOrVersionId(doc._id)) continue
    for (const target of strongRefs(doc)) {
      if (!importing.has(target) && !found.has(target)) throw new Error(`document "${doc._id}" references non-existent document "${target}"; nothing was imported`)
    }
  }
  const verb = mode === 'replace' ? 'createOrReplace' : mode === 'missing' ? 'createIfNotExists' : 'create'
  const batches: Array<Array<Record<string, Doc>>> = []
  let batch: Array<Record<string, Doc>> = []
  let bytes = 0
  for (const group of referenceOrder(docs)) {
    const size = group.reduce((n, doc) => n + Buffer.byteLength(JSON.stringify(doc)) + 32, 0)
    if (batch.length > 0 && bytes + size > BATCH_BYTES) {
      batches.push(batch)
      batch = []
      bytes = 0
    }
    for (const doc of group) batch.push({[verb]: doc})
    bytes += size
  }
  if (batch.length > 0) batches.push(batch)
  const result: ImportResult = {created: 0, replaced: 0, skipped: 0}
  let done = 0
  for (const [i, mutations] of batches.entries()) {
    let res: Response
    try {
      res = await call(lake, 'POST', `data/mutate/${lake.dataset}?visibility=sync`, {mutations})
    } catch (err) {
      const already = done > 0 ? `${done} of ${docs.length} documents were imported in ${i} earlier transaction(s)` : 'nothing was imported'
      throw new Error(`${(err as Error).message}; ${already}`)
    }
    const {results} = (await res.json()) as {results: Array<{operation: string}>}
    for (const r of results) {
      if (r.operation === 'create') result.created++
      else if (r.operation === 'update') result.replaced++
      else result.skipped++
    }
    done += mutations.length
    progress(done, docs.length)
  }
  return result
}
