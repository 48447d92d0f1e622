import fs from 'node:fs'
import {performance} from 'node:perf_hooks'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeRequest, removeTempDirs, spawnLake, stopAllLakes, type Json, type SpawnedLake} from '../helpers/lake'
import {expectAlive} from './limits-support'

/**
 * Issue 10 (no query stalls the lake): a runaway GROQ evaluation is stopped at
 * LAKE_QUERY_TIMEOUT_MS with a 422 `queryTimeout`, and while it runs pings, point queries,
 * writes and listeners are answered as usual. Before, the lake's only thread ran the
 * runaway for minutes and answered nothing else.
 */

const TIMEOUT_MS = 2000
/** What the runaway's answer may take beyond the deadline, on a busy 2-core machine. */
const SLACK_MS = 1500
/** A generous bound for the other requests while it runs (they take a few ms when the lake is idle). */
const BOUND_MS = 500
/**
 * Each request's worst case: on a busy shared 2-core machine one request in a few dozen can meet a
 * garbage collection or lose the CPU to another process. Before, none was answered at all.
 */
const WORST_MS = 1500

const QUERY = '/v2025-02-19/data/query/production'
const MUTATE = '/v2025-02-19/data/mutate/production'
const LISTEN = '/v2025-02-19/data/listen/production'

/** The conformance suite's "Filters / documents, nested 3": eleven nested subqueries, 6^11 steps over six documents. */
function nested(depth: number): string {
  let filter = '_id >= "c" && _type == "test"'
  for (let i = 0; i < depth; i++) filter = `_id in *[${filter}][]._id`
  return `*[${filter}]`
}
const RUNAWAY = `${nested(10)} | order(_id)[]._id`

let lake: SpawnedLake

beforeAll(async () => {
  lake = await spawnLake({env: {LAKE_QUERY_TIMEOUT_MS: String(TIMEOUT_MS)}})
  const docs = ['a', 'b', 'c', 'd', 'e', 'f'].map((id) => ({_id: id, _type: id === 'f' ? 'other' : 'test'}))
  const res = await lakeRequest(lake, 'POST', MUTATE, {body: {mutations: docs.map((doc) => ({createOrReplace: doc}))}})
  expect(res.status).toBe(200)
})

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

/** CPU seconds the lake process has used (utime + stime from /proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) * 10
}

/** Times one request; fails (instead of hanging) when the lake does not answer within 5 s. */
async function timed(method: string, pathname: string, body?: unknown): Promise<{ms: number; status: number; json: Json | undefined}> {
  const started = performance.now()
  const res = await fetch(`${lake.url}${pathname}`, {
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: {authorization: `Bearer ${lake.token}`, ...(body === undefined ? {} : {'content-type': 'application/json'})},
    signal: AbortSignal.timeout(5000),
  })
  const text = await res.text()
  return {ms: performance.now() - started, status: res.status, json: text.startsWith('{') ? (JSON.parse(text) as Json) : undefined}
}

/** Settles either way, with the time it did: a lake that never answers fails the assertions, not the run. */
function settled(request: ReturnType<typeof timed>): Promise<{status: number; json: Json | undefined; endedAt: number}> {
  return request.then(
    (r) => ({...r, endedAt: performance.now()}),
    (err: Error) => ({status: 0, json: {error: {description: err.message}}, endedAt: performance.now()}),
  )
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

/** A listener over fetch that records when each mutation event arrives. */
async function listen(query: string): Promise<{arrivals: Array<{id: string; at: number}>; close: () => void}> {
  const controller = new AbortController()
  const res = await fetch(`${lake.url}${LISTEN}?query=${encodeURIComponent(query)}`, {
    headers: {authorization: `Bearer ${lake.token}`},
    signal: controller.signal,
  })
  expect(res.status).toBe(200)
  const arrivals: Array<{id: string; at: number}> = []
  const reader = res.body!.getReader()
  const decoder = new TextDecoder()
  let welcomed!: () => void
  const welcome = new Promise<void>((resolve) => (welcomed = resolve))
  let text = ''
  void (async () => {
    for (;;) {
      const {value, done} = await reader.read().catch(() => ({value: undefined, done: true as const}))
      if (done) return
      text += decoder.decode(value, {stream: true})
      if (text.includes('event: welcome')) welcomed()
      for (const m of text.matchAll(/"documentId":"([^"]+)"/g)) arrivals.push({id: m[1], at: performance.now()})
      text = text.slice(text.lastIndexOf('\n\n') + 2)
    }
  })()
  await welcome
  return {arrivals, close: () => controller.abort()}
}

describe('a runaway query', () => {
  it('is stopped at LAKE_QUERY_TIMEOUT_MS while pings, point queries, writes and listeners keep their latency', async () => {
    const listener = await listen('*[_type == "probe"]')
    const started = performance.now()
    const runaway = settled(timed('POST', QUERY, {query: RUNAWAY}))
    // Let it get going before measuring.
    await new Promise((resolve) => setTimeout(resolve, 200))

    const pings: number[] = []
    const points: number[] = []
    const writes: number[] = []
    const events: number[] = []
    let n = 0
    while (performance.now() - started < TIMEOUT_MS - 300) {
      const ping = await timed('GET', '/v2025-02-19/ping')
      expect(ping.status).toBe(200)
      pings.push(ping.ms)

      const point = await timed('GET', `${QUERY}?query=${encodeURIComponent('*[_id == $id][0]')}&$id="c"`)
      expect(point.status).toBe(200)
      expect((point.json?.result as Json)._id).toBe('c')
      points.push(point.ms)

      const id = `probe${n++}`
      const writeStarted = performance.now()
      const write = await timed('POST', MUTATE, {mutations: [{createOrReplace: {_id: id, _type: 'probe'}}]})
      expect(write.status).toBe(200)
      writes.push(write.ms)
      // The listener hears of the write as promptly.
      const heardBy = performance.now() + 5000
      while (!listener.arrivals.some((a) => a.id === id) && performance.now() < heardBy) await new Promise((resolve) => setTimeout(resolve, 5))
      const heard = listener.arrivals.find((a) => a.id === id)
      expect(heard, `listener event for ${id}`).toBeDefined()
      events.push(heard!.at - writeStarted)
    }
    listener.close()

    const answer = await runaway
    const figures = {
      samples: pings.length,
      pingP50: percentile(pings, 0.5),
      pingMax: Math.max(...pings),
      pointP50: percentile(points, 0.5),
      pointMax: Math.max(...points),
      writeP50: percentile(writes, 0.5),
      writeMax: Math.max(...writes),
      listenerEventP50: percentile(events, 0.5),
      listenerEventMax: Math.max(...events),
      runawayMs: Math.round(answer.endedAt - started),
    }
    console.log('isolation:', JSON.stringify(figures, (_, v: unknown) => (typeof v === 'number' ? Math.round(v * 10) / 10 : v)))
    expect(pings.length).toBeGreaterThanOrEqual(5)
    for (const [what, values] of Object.entries({pings, points, writes, events})) {
      expect(percentile(values, 0.9), `${what}: p90 of ${values.length}`).toBeLessThan(BOUND_MS)
      expect(Math.max(...values), `${what}: slowest of ${values.length}`).toBeLessThan(WORST_MS)
    }

    expect(answer.status).toBe(422)
    const error = answer.json?.error as Json
    expect(error.type).toBe('queryTimeout')
    expect(String(error.description)).toContain('LAKE_QUERY_TIMEOUT_MS')
    expect(String(error.description)).toContain(`${TIMEOUT_MS} ms`)
    expect(answer.endedAt - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 50)
    expect(answer.endedAt - started).toBeLessThan(TIMEOUT_MS + SLACK_MS)
  })

  it('leaves no CPU behind: the lake idles after the error and answers at once', async () => {
    const answer = await timed('POST', QUERY, {query: RUNAWAY})
    expect(answer.status).toBe(422)
    const pid = lake.proc.pid!
    const before = cpuMs(pid)
    await new Promise((resolve) => setTimeout(resolve, 1000))
    const used = cpuMs(pid) - before
    console.log(`isolation: lake CPU in the second after the timeout: ${used} ms`)
    // A runaway still going would use the whole second.
    expect(used).toBeLessThan(300)
    const point = await timed('GET', `${QUERY}?query=${encodeURIComponent('count(*[_type == "test"])')}`)
    expect(point.status).toBe(200)
    expect(point.json?.result).toBe(5)
    expect(point.ms).toBeLessThan(BOUND_MS)
    await expectAlive(lake)
  })

  it('by query in a patch fails the transaction at the deadline with nothing written', async () => {
    const started = performance.now()
    const patch = settled(timed('POST', MUTATE, {mutations: [{patch: {query: nested(10), set: {touched: true}}}]}))
    // Reads go on meanwhile (writes wait for the transaction, as they wait for any other).
    await new Promise((resolve) => setTimeout(resolve, 300))
    const point = await timed('GET', `${QUERY}?query=${encodeURIComponent('*[_id == "d"][0]')}`)
    expect(point.status).toBe(200)
    expect(point.ms).toBeLessThan(BOUND_MS)
    const answer = await patch
    expect(answer.status).toBe(422)
    expect((answer.json?.error as Json).type).toBe('queryTimeout')
    expect(performance.now() - started).toBeLessThan(TIMEOUT_MS + SLACK_MS)
    const touched = await timed('GET', `${QUERY}?query=${encodeURIComponent('count(*[defined(touched)])')}`)
    expect(touched.json?.result).toBe(0)
    const write = await timed('POST', MUTATE, {mutations: [{createOrReplace: {_id: 'after', _type: 'probe'}}]})
    expect(write.status).toBe(200)
    expect(write.ms).toBeLessThan(BOUND_MS)
  })

  it('refuses an invalid LAKE_QUERY_TIMEOUT_MS at start-up, naming it', async () => {
    await expect(spawnLake({env: {LAKE_QUERY_TIMEOUT_MS: '10s'}, timeoutMs: 15000})).rejects.toThrow(/LAKE_QUERY_TIMEOUT_MS=10s is not a time in milliseconds/)
  })
})
