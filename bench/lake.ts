// The lake under the benchmark runs in its own process (`node src/cli/launch.mjs lake`, as `npm run lake`
// starts it): the bench's plain groq-js runs and forced GCs do not share its thread. Raw HTTP helpers talk
// to it with keep-alive, and retry once a request that went out on a reused socket the lake had
// closed (Node's documented pattern for ECONNRESET on keep-alive), so a long stall cannot crash the run.
import {spawn, type ChildProcess} from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {createClient, type SanityClient} from '@sanity/client'
import {readBanner} from '../src/lake/banner'
import type {BenchDoc} from './generate'
import {percentile, time} from './measure'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/**
 * Idle keep-alive sockets are closed by this side after 1 s, well before the lake's 5 s
 * keep-alive timeout: Node's default agent waits 5 s too, and that race (the lake closing a
 * socket just as a request goes out on it) is the old bench's `read ECONNRESET` / `socket hang up`
 * after a pause (a plain groq-js run, a long evaluation). @sanity/client uses the global agent.
 */
const IDLE_SOCKET_MS = 1_000
http.globalAgent = new http.Agent({keepAlive: true, timeout: IDLE_SOCKET_MS})
const API = '/v2025-02-19'
const DATASET = 'production'

export interface LakeMemory {
  heapUsed: number
  rss: number
  external: number
  arrayBuffers: number
  gc: boolean
}

export interface LakeProcess {
  url: string
  port: number
  token: string
  dir: string
  proc: ChildProcess
  client: SanityClient
  agent: http.Agent
  /** Spawn → the lake printed its address (start-up, replay, compaction, listen). */
  readyMs: number
  stderr(): string
  /** Heap after a full GC in the lake process (bench/probe.mjs). */
  memory(): Promise<LakeMemory>
  /** VmRSS and VmHWM (peak RSS) of the lake process, bytes. */
  rss(): {rss: number; peak: number}
  stop(signal?: NodeJS.Signals): Promise<void>
}

function procStatus(pid: number | undefined, field: string): number {
  if (pid === undefined) return Number.NaN
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : Number.NaN
  } catch {
    return Number.NaN
  }
}

export interface StartOptions {
  env?: Record<string, string>
  /** V8 old-space limit for the lake, MB (1M documents need more than the default). */
  heapMB?: number
  /** More node flags for the lake process (e.g. --cpu-prof to profile it). */
  nodeArgs?: string[]
}

export async function startLake(dir: string, options: StartOptions = {}): Promise<LakeProcess> {
  const started = performance.now()
  const args = [
    '--expose-gc',
    ...(options.heapMB ? [`--max-old-space-size=${options.heapMB}`] : []),
    ...(options.nodeArgs ?? []),
    '--import',
    './bench/probe.mjs',
    // As `npm run lake` runs it: the compiled lake, rebuilt first if a source changed.
    'src/cli/launch.mjs',
    'lake',
  ]
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: {...process.env, LAKE_DIR: dir, LAKE_PORT: '0', LAKE_TLS_PORT: 'off', ...options.env},
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  })
  let out = ''
  let err = ''
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk))
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-20_000)))
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const banner = readBanner(out)
      if (banner) resolve(banner.url)
    }
    proc.stdout!.on('data', check)
    proc.once('exit', (code) => reject(new Error(`the lake exited (${code}) before it was ready: ${err.trim().slice(-2000)}`)))
  })
  const readyMs = performance.now() - started
  const token = fs.readFileSync(path.join(dir, 'token'), 'utf8').trim()
  const agent = new http.Agent({keepAlive: true, maxSockets: 64, timeout: IDLE_SOCKET_MS})
  const client = createClient({
    projectId: 'local',
    dataset: DATASET,
    apiHost: url,
    useProjectHostname: false,
    apiVersion: '2025-02-19',
    token,
    useCdn: false,
  })
  let memoryWaiters: Array<(m: LakeMemory) => void> = []
  proc.on('message', (m) => {
    const waiters = memoryWaiters
    memoryWaiters = []
    for (const resolve of waiters) resolve(m as LakeMemory)
  })
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()))
  return {
    url,
    port: Number(new URL(url).port),
    token,
    dir,
    proc,
    client,
    agent,
    readyMs,
    stderr: () => err,
    memory: () =>
      new Promise<LakeMemory>((resolve) => {
        memoryWaiters.push(resolve)
        proc.send('memory')
      }),
    rss: () => ({rss: procStatus(proc.pid, 'VmRSS'), peak: procStatus(proc.pid, 'VmHWM')}),
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      agent.destroy()
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal)
      await exited
    },
  }
}

export interface RawResponse {
  status: number
  body: string
}

function once(lake: LakeProcess, method: string, pathAndQuery: string, body: string | Buffer | undefined, signal?: AbortSignal): Promise<RawResponse & {reused: boolean}> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: lake.port,
        method,
        path: pathAndQuery,
        agent: lake.agent,
        signal,
        headers: {
          authorization: `Bearer ${lake.token}`,
          ...(body === undefined ? {} : {'content-type': 'application/json', 'content-length': Buffer.byteLength(body)}),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk: string) => (text += chunk))
        res.on('end', () => resolve({status: res.statusCode ?? 0, body: text, reused: req.reusedSocket}))
        res.on('error', reject)
      },
    )
    req.on('error', (err: NodeJS.ErrnoException) => {
      Object.assign(err, {reused: req.reusedSocket})
      reject(err)
    })
    req.end(body)
  })
}

/** One request; once more if it failed on a kept-alive socket the lake had already closed. */
export async function request(lake: LakeProcess, method: string, pathAndQuery: string, body?: string | Buffer, signal?: AbortSignal): Promise<RawResponse> {
  try {
    return await once(lake, method, pathAndQuery, body, signal)
  } catch (err) {
    const e = err as NodeJS.ErrnoException & {reused?: boolean}
    if (!e.reused || (e.code !== 'ECONNRESET' && e.code !== 'EPIPE')) throw err
    return await once(lake, method, pathAndQuery, body, signal)
  }
}

export function queryPath(query: string, params: Record<string, unknown> = {}): string {
  const q = new URLSearchParams({query})
  for (const [name, value] of Object.entries(params)) q.set(`$${name}`, JSON.stringify(value))
  q.set('returnQuery', 'false')
  return `${API}/data/query/${DATASET}?${q}`
}

/** A query over raw HTTP; throws on a non-200 answer. */
export async function rawQuery<T = unknown>(lake: LakeProcess, query: string, params: Record<string, unknown> = {}): Promise<T> {
  const res = await request(lake, 'GET', queryPath(query, params))
  if (res.status !== 200) throw new Error(`query ${query.slice(0, 80)} answered ${res.status}: ${res.body.slice(0, 300)}`)
  return (JSON.parse(res.body) as {result: T}).result
}

/** A transaction over raw HTTP with its own transactionId; a 409 for that id after a retry means it was applied. */
export async function mutate(lake: LakeProcess, mutations: readonly unknown[], transactionId: string): Promise<void> {
  const body = JSON.stringify({mutations, transactionId})
  const res = await request(lake, 'POST', `${API}/data/mutate/${DATASET}?returnIds=false&visibility=sync`, body)
  if (res.status === 200) return
  if (res.status === 409 && res.body.includes(transactionId)) return
  throw new Error(`mutation answered ${res.status}: ${res.body.slice(0, 300)}`)
}

export interface LoadResult {
  ms: number
  transactions: number
  documents: number
  /** JSON bytes of the documents (not the mutation envelopes). */
  bytes: number
}

/** One load transaction's body, and whether every earlier one must be durable before it is sent. */
interface LoadBatch {
  body: Buffer
  documents: number
  bytes: number
  /** The people go first and alone: everything else references them. */
  afterAllBefore: boolean
}

function* loadBatches(groups: Iterable<BenchDoc[]>, batchSize: number, keep: (doc: BenchDoc) => void): Generator<LoadBatch> {
  let transactions = 0
  let batch: string[] = []
  let documents = 0
  let bytes = 0
  let afterAllBefore = false
  let peopleDone = false
  const take = (): LoadBatch => {
    const body = Buffer.from(`{"transactionId":"bench-load-${transactions++}","mutations":[${batch.join(',')}]}`)
    const out = {body, documents, bytes, afterAllBefore}
    batch = []
    documents = bytes = 0
    afterAllBefore = false
    return out
  }
  for (const group of groups) {
    if (!peopleDone && group[0]?._type !== 'person') {
      if (batch.length > 0) yield take()
      peopleDone = afterAllBefore = true
    }
    if (peopleDone && batch.length > 0 && batch.length + group.length > batchSize) yield take()
    for (const doc of group) {
      const json = JSON.stringify(doc)
      bytes += Buffer.byteLength(json)
      batch.push(`{"createOrReplace":${json}}`)
      keep(doc)
    }
    documents += group.length
  }
  if (batch.length > 0) yield take()
}

/**
 * Sends `groups` as createOrReplace transactions of about `batchSize` documents, `inFlight` at a
 * time (the people first and alone: everything else references them). `keep` sees every document.
 * `prebuild`: make every request body before the clock starts, so that the figure is the lake's and
 * not shared with generating the documents on the same cores (a dataset import reads a file that is
 * already written); otherwise bodies are made as they are sent (1M documents would not fit in memory).
 */
export async function load(
  lake: LakeProcess,
  groups: Iterable<BenchDoc[]>,
  batchSize: number,
  inFlight: number,
  keep: (doc: BenchDoc) => void,
  prebuild = false,
): Promise<LoadResult & {prebuilt: boolean}> {
  const batches: Iterable<LoadBatch> = prebuild ? [...loadBatches(groups, batchSize, keep)] : loadBatches(groups, batchSize, keep)
  let transactions = 0
  let documents = 0
  let bytes = 0
  const running = new Set<Promise<void>>()
  let failure: unknown
  const started = performance.now()
  for (const batch of batches) {
    if (batch.afterAllBefore) await Promise.all(running)
    if (failure) throw failure
    const p: Promise<void> = request(lake, 'POST', `${API}/data/mutate/${DATASET}?returnIds=false&visibility=sync`, batch.body).then(
      (res) => {
        if (res.status !== 200) failure ??= new Error(`load transaction answered ${res.status}: ${res.body.slice(0, 300)}`)
      },
      (err: unknown) => {
        failure ??= err
      },
    )
    transactions++
    documents += batch.documents
    bytes += batch.bytes
    const tracked = p.finally(() => running.delete(tracked))
    running.add(tracked)
    if (running.size >= inFlight) await Promise.race(running)
  }
  await Promise.all(running)
  if (failure) throw failure
  return {ms: performance.now() - started, transactions, documents, bytes, prebuilt: prebuild}
}

export interface ThroughputResult {
  writers: number
  transactions: number
  ms: number
  perSecond: number
  p50Ms: number
  p99Ms: number
}

/** `writers` concurrent writers, each committing one small patch after another for `ms`. */
export async function throughput(lake: LakeProcess, ids: readonly string[], writers: number, ms: number, tag: string): Promise<ThroughputResult> {
  const each: number[] = []
  let n = 0
  const deadline = performance.now() + ms
  const started = performance.now()
  const worker = async (w: number) => {
    for (let i = 0; performance.now() < deadline; i++) {
      const id = ids[(w * 7919 + i) % ids.length] as string
      const t = await time(() => mutate(lake, [{patch: {id, set: {benchCounter: i}}}], `bench-${tag}-${w}-${i}`))
      each.push(t.ms)
      n++
    }
  }
  await Promise.all(Array.from({length: writers}, (_, w) => worker(w)))
  const total = performance.now() - started
  return {writers, transactions: n, ms: total, perSecond: n / (total / 1000), p50Ms: percentile(each, 50), p99Ms: percentile(each, 99)}
}
