// `npm run bench`: the local lake (in its own process) against plain groq-js (in this one), on
// synthetic datasets, with every figure issue 10 names and PASS/MISS against its goal. See docs/benchmarks.md.
import {execFileSync} from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {LakeDocument} from '../src/lake/store'
import {streamDataset, type BenchDoc, type Sample} from './generate'
import {engineQuery, engineStore} from './engine'
import {load, mutate, queryPath, rawQuery, request, startLake, throughput, type LakeMemory, type LakeProcess, type LoadResult, type ThroughputResult} from './lake'
import {collectGarbage, percentile, time} from './measure'
import {plainQuery, withSystemFields, type PlainDoc} from './plain'
import {benchQueries, comparable, FLOOR_QUERY, resultSize, RUNAWAY_QUERY, type BenchQuery} from './queries'
import {int, mb, ms, ratio, table} from './report'
import {benchScripts, type ScriptTiming} from './scripts'
import {benchSite, siteTable, type SitePageTiming} from './site'

const BATCH_SIZE = 1000
/** Load transactions in flight at once: the client builds the next while the lake takes one. */
const LOAD_IN_FLIGHT = 2
/** Up to this many documents, the load's request bodies are made before its clock starts (bench/lake.ts load). */
const PREBUILD_MAX = 200_000
/** Time given to the HTTP runs of one query (warm-up excluded); a slow query gets fewer runs. */
const QUERY_BUDGET_MS = 10_000
/** Time given to plain groq-js (and to the in-process engine) per query. */
const PLAIN_BUDGET_MS = 8_000
const FLOOR_RUNS = 300
const MIXED_TX_PER_SECOND = 50
const THROUGHPUT_MS = 3_000

function envInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw.replace(/_/g, ''))
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name}=${raw}: expected a positive integer`)
  return value
}

function envSizes(): number[] {
  const raw = process.env.BENCH_SIZES
  if (raw === undefined || raw.trim() === '') return [10_000, 100_000]
  return raw.split(',').map((s) => {
    const value = Number(s.trim().replace(/_/g, ''))
    if (!Number.isInteger(value) || value < 10) throw new Error(`BENCH_SIZES=${raw}: expected sizes like 10000,100000`)
    return value
  })
}

function stamp(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`)
}

/**
 * p50 (and p99) of `fn`, run until `runs` or the budget is spent; at least `min` runs unless they
 * would take past three budgets (a query of many seconds at 1M documents), and always one.
 */
async function sample(fn: () => Promise<unknown>, runs: number, budgetMs: number, min = 3): Promise<{p50: number; p99: number; runs: number}> {
  const times: number[] = []
  const started = performance.now()
  const spent = () => performance.now() - started
  while (times.length < runs && (times.length === 0 || spent() < budgetMs || (times.length < min && spent() < 3 * Math.max(budgetMs, 1000)))) {
    times.push((await time(fn)).ms)
  }
  return {p50: percentile(times, 50), p99: percentile(times, 99), runs: times.length}
}

interface QueryRow {
  q: BenchQuery
  items: number
  same: boolean | null
  client: {p50: number; p99: number; runs: number}
  raw: {p50: number; runs: number}
  engine: {p50: number; runs: number} | null
  plain: {p50: number; runs: number} | null
}

interface Restart {
  label: string
  readyMs: number
  /** Spawn → the lake printed that its compaction (after listening) is done; null when it did not compact. */
  compactedMs: number | null
  countMs: number
  peakRss: number
  heapUsed: number
  log: string
}

interface SizeResult {
  size: number
  counts: {articles: number; people: number; quotes: number}
  load: LoadResult & {prebuilt: boolean}
  floor: {raw: number; client: number}
  queries: QueryRow[]
  mixed: {without: number; with: number; writerTx: number}
  isolation: {p50: number; p99: number; runs: number; runawayStatus: number; runawayMs: number; runawayError: string}
  writes: ThroughputResult[]
  restarts: Restart[]
  memory: {empty: LakeMemory; loaded: LakeMemory; snapshotBytes: number}
  /** What start-up cannot go below: an empty lake's boot, and decoding + JSON.parse of the snapshot alone. */
  startFloor: {bootMs: number; parseMs: number}
  site: SitePageTiming[] | string
  scripts: ScriptTiming[]
  plainCompared: boolean
}

async function measureQueries(lake: LakeProcess, sampleOf: Sample, plain: PlainDoc[] | null, engine: ReturnType<typeof engineStore> | null): Promise<QueryRow[]> {
  const rows: QueryRow[] = []
  for (const q of benchQueries(sampleOf)) {
    stamp(`  ${q.name}`)
    const viaClient = () => lake.client.fetch<unknown>(q.query, q.params)
    const viaRaw = () => rawQuery(lake, q.query, q.params)
    const warm = await time(viaClient)
    const client = await sample(viaClient, 200, QUERY_BUDGET_MS)
    const raw = await sample(viaRaw, 100, QUERY_BUDGET_MS / 2)
    let plainRow: QueryRow['plain'] = null
    let same: boolean | null = null
    if (plain) {
      const first = await time(() => plainQuery(plain, q.query, q.params))
      same = comparable(first.value) === comparable(warm.value)
      const rest = await sample(() => plainQuery(plain, q.query, q.params), 20, PLAIN_BUDGET_MS, 2)
      plainRow = {p50: rest.p50, runs: rest.runs}
    }
    let engineRow: QueryRow['engine'] = null
    if (engine) {
      await engineQuery(engine, q.query, q.params)
      const e = await sample(() => engineQuery(engine, q.query, q.params), 200, PLAIN_BUDGET_MS, 2)
      engineRow = {p50: e.p50, runs: e.runs}
    }
    rows.push({q, items: resultSize(warm.value), same, client, raw: {p50: raw.p50, runs: raw.runs}, engine: engineRow, plain: plainRow})
  }
  return rows
}

/** Point-query p50 with and without a writer committing MIXED_TX_PER_SECOND small transactions. */
async function mixedLoad(lake: LakeProcess, pointQuery: () => Promise<unknown>, ids: readonly string[]): Promise<SizeResult['mixed']> {
  const without = await sample(pointQuery, 200, 4_000, 20)
  let writerTx = 0
  let stop = false
  const writer = (async () => {
    const every = 1000 / MIXED_TX_PER_SECOND
    const started = performance.now()
    for (let i = 0; !stop; i++) {
      await mutate(lake, [{patch: {id: ids[i % ids.length] as string, set: {mixedCounter: i}}}], `bench-mixed-${Date.now()}-${i}`)
      writerTx++
      const wait = started + (i + 1) * every - performance.now()
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
    }
  })()
  await new Promise((resolve) => setTimeout(resolve, 200))
  const withWriter = await sample(pointQuery, 200, 4_000, 20)
  stop = true
  await writer
  return {without: without.p50, with: withWriter.p50, writerTx}
}

/** Point queries while the runaway query runs; then the runaway's answer. */
async function isolation(lake: LakeProcess, pointQuery: () => Promise<unknown>): Promise<SizeResult['isolation']> {
  const abort = new AbortController()
  const started = performance.now()
  let runawayMs = Number.NaN
  const runaway = request(lake, 'GET', queryPath(RUNAWAY_QUERY), undefined, abort.signal).then(
    (res) => {
      runawayMs = performance.now() - started
      let error = res.body.slice(0, 200)
      try {
        const body = JSON.parse(res.body) as {error?: {type?: string; description?: string}}
        if (body.error) error = `${body.error.type}: ${body.error.description}`
      } catch {
        /* not JSON: keep the text */
      }
      return {status: res.status, error}
    },
    (err: Error) => ({status: 0, error: `no answer: ${err.message}`}),
  )
  // Give it a moment to start, then measure while it runs (it is not awaited yet).
  await new Promise((resolve) => setTimeout(resolve, 50))
  const times: number[] = []
  let done = false
  void runaway.then(() => (done = true))
  const until = performance.now() + 3_000
  while (!done && performance.now() < until && times.length < 300) times.push((await time(pointQuery)).ms)
  // A lake without a deadline would run it for minutes: stop waiting after 2 minutes.
  const guard = setTimeout(() => abort.abort(), 120_000)
  const answer = await runaway
  clearTimeout(guard)
  return {p50: percentile(times, 50), p99: percentile(times, 99), runs: times.length, runawayStatus: answer.status, runawayMs, runawayError: answer.error}
}

async function restartLake(lake: LakeProcess, label: string, env: Record<string, string>, heapMB: number, expected: number): Promise<{lake: LakeProcess; restart: Restart}> {
  await lake.stop()
  const next = await startLake(lake.dir, {env, heapMB})
  const counted = await time(() => rawQuery<number>(next, 'count(*)'))
  if (counted.value !== expected) throw new Error(`the lake holds ${counted.value} documents after restart (${label}), expected ${expected}`)
  // A large log is compacted after the lake listens (reads are answered meanwhile, writes wait): how long that takes.
  let compactedMs: number | null = null
  if (label.includes('compacting')) {
    const since = performance.now()
    while (!/lake: (compacted|rewrote|compaction failed)/.test(next.stderr()) && performance.now() - since < 600_000) await new Promise((r) => setTimeout(r, 10))
    if (/lake: (compacted|rewrote)/.test(next.stderr())) compactedMs = next.readyMs + (performance.now() - since) + counted.ms
  }
  const peakRss = next.rss().peak
  const heap = await next.memory()
  const log = next
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('lake: ') && !/stopping/.test(l))
    .map((l) => l.slice(6))
    .join(' | ')
  return {lake: next, restart: {label, readyMs: next.readyMs, compactedMs, countMs: counted.ms, peakRss, heapUsed: heap.heapUsed, log}}
}

/** Boot of a lake on an empty directory, and the snapshot's JSON.parse in a bare process: measured beside the restarts. */
async function measureStartFloor(snapshot: string, heapMB: number): Promise<{bootMs: number; parseMs: number}> {
  const emptyDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lake-bench-empty-'))
  try {
    const empty = await startLake(emptyDir)
    await empty.stop()
    const out = execFileSync(process.execPath, [`--max-old-space-size=${heapMB}`, path.join(import.meta.dirname, 'parseFloor.mjs'), snapshot], {encoding: 'utf8', maxBuffer: 1 << 20})
    return {bootMs: empty.readyMs, parseMs: (JSON.parse(out) as {ms: number}).ms}
  } finally {
    fs.rmSync(emptyDir, {recursive: true, force: true})
  }
}

async function benchSize(size: number, options: {plainMax: number; siteMax: number; heapMB: number}): Promise<SizeResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lake-bench-'))
  let lake = await startLake(dir, {heapMB: options.heapMB})
  try {
    const empty = await lake.memory()
    const stream = streamDataset(size)
    const comparePlain = size <= options.plainMax
    let kept: BenchDoc[] | null = comparePlain ? [] : null
    const quoteIds: string[] = []
    stamp(`${int(size)}: generating and loading into the lake (${dir})`)
    const loaded = await load(
      lake,
      stream.groups,
      BATCH_SIZE,
      LOAD_IN_FLIGHT,
      (doc) => {
        kept?.push(doc)
        if (doc._type === 'quote' && quoteIds.length < 10_000) quoteIds.push(doc._id)
      },
      size <= PREBUILD_MAX,
    )
    const count = await rawQuery<number>(lake, 'count(*)')
    if (count !== size) throw new Error(`the lake holds ${count} documents after the load, expected ${size}`)
    const loadedMemory = await lake.memory()
    const sampleOf = stream.sample

    let plain: PlainDoc[] | null = null
    let engine: ReturnType<typeof engineStore> | null = null
    if (kept) {
      stamp(`${int(size)}: plain groq-js copy and the lake's engine in this process`)
      plain = withSystemFields(kept, new Date().toISOString())
      kept = null
      engine = engineStore(plain as unknown as LakeDocument[])
      collectGarbage()
    }

    stamp(`${int(size)}: floor (the query ${FLOOR_QUERY})`)
    await rawQuery(lake, FLOOR_QUERY)
    await lake.client.fetch(FLOOR_QUERY)
    const floorRaw = await sample(() => rawQuery(lake, FLOOR_QUERY), FLOOR_RUNS, 5_000)
    const floorClient = await sample(() => lake.client.fetch(FLOOR_QUERY), FLOOR_RUNS, 5_000)

    stamp(`${int(size)}: queries`)
    const queries = await measureQueries(lake, sampleOf, plain, engine)
    plain = null
    engine = null
    collectGarbage()

    const pointQuery = () => lake.client.fetch('*[_id == $id][0]', {id: sampleOf.id})
    stamp(`${int(size)}: mixed load (a writer at ${MIXED_TX_PER_SECOND} tx/s)`)
    const mixed = await mixedLoad(lake, pointQuery, quoteIds)
    stamp(`${int(size)}: isolation (a runaway query)`)
    const iso = await isolation(lake, pointQuery)

    stamp(`${int(size)}: durable transactions, 1 and 16 writers`)
    const writes = [await throughput(lake, quoteIds, 1, THROUGHPUT_MS, `one-${size}`), await throughput(lake, quoteIds, 16, THROUGHPUT_MS, `many-${size}`)]

    // The site row (bench/site.ts): the reader's pages against this lake.
    let site: SitePageTiming[] | string = `not run above ${int(options.siteMax)} documents (BENCH_SITE_MAX)`
    if (size <= options.siteMax) {
      stamp(`${int(size)}: site pages`)
      site = await benchSite({lakeUrl: lake.url, token: lake.token, articleSlug: sampleOf.slug, personSlug: sampleOf.speakerSlug, runs: 20}).catch(
        (err: Error) => `failed: ${err.message}`,
      )
    }

    stamp(`${int(size)}: npm scripts against the running lake`)
    const scripts = benchScripts(lake)

    stamp(`${int(size)}: restarts`)
    const restarts: Restart[] = []
    const never = {LAKE_COMPACT_BYTES: String(Number.MAX_SAFE_INTEGER)}
    for (const [label, env] of [
      ['from the log (replay only)', never],
      ['from the log, compacting it', {}],
      ['from the snapshot', {}],
    ] as const) {
      const r = await restartLake(lake, label, env, options.heapMB, size)
      lake = r.lake
      restarts.push(r.restart)
    }
    const snapshotBytes = fs.statSync(path.join(dir, 'snapshot.ndjson')).size
    const startFloor = await measureStartFloor(path.join(dir, 'snapshot.ndjson'), options.heapMB)
    return {
      size,
      counts: stream.counts,
      load: loaded,
      floor: {raw: floorRaw.p50, client: floorClient.p50},
      queries,
      mixed,
      isolation: iso,
      writes,
      restarts,
      memory: {empty, loaded: loadedMemory, snapshotBytes},
      startFloor,
      scripts,
      site,
      plainCompared: comparePlain,
    }
  } finally {
    await lake.stop()
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

interface Goal {
  goal: string
  figure: string
  pass: boolean
}

const verdict = (pass: boolean): string => (pass ? 'PASS' : 'MISS')

function printSize(r: SizeResult): Goal[] {
  const goals: Goal[] = []
  const at100k = r.size >= 100_000
  console.log('')
  console.log(`== ${int(r.size)} documents: ${int(r.counts.articles)} articles, ${int(r.counts.people)} people, ${int(r.counts.quotes)} quotes; ${mb(r.load.bytes)} MB of JSON ==`)
  console.log('')
  console.log(`Floor (the query ${FLOOR_QUERY}): raw HTTP p50 ${ms(r.floor.raw)} ms, @sanity/client p50 ${ms(r.floor.client)} ms`)
  console.log('')
  console.log('Queries, p50 ms. client/raw = the lake over @sanity/client / raw HTTP; ×floor = client p50 / client floor;')
  console.log('engine = the lake\'s evaluation in this process, no HTTP; plain = groq-js over an array; plain/engine = how much faster.')
  console.log(
    table(
      ['query', 'client', 'raw', '×floor', 'goal', 'engine', 'plain', 'plain/engine', 'runs', 'items', 'same as plain'],
      r.queries.map((q) => {
        const x = q.client.p50 / r.floor.client
        const goal = 'floorRatio' in q.q.goal ? `≤ ${q.q.goal.floorRatio}×` : `≤ ${q.q.goal.maxMs} ms`
        return [
          q.q.name,
          ms(q.client.p50),
          ms(q.raw.p50),
          ratio(x),
          goal,
          q.engine ? ms(q.engine.p50) : 'n/a',
          q.plain ? ms(q.plain.p50) : 'n/a',
          q.engine && q.plain ? ratio(q.plain.p50 / q.engine.p50) : 'n/a',
          String(q.client.runs),
          int(q.items),
          q.same === null ? 'n/a' : q.same ? 'yes' : 'NO',
        ]
      }),
      ['left'],
    ),
  )
  for (const q of r.queries) {
    if ('floorRatio' in q.q.goal) {
      const x = q.client.p50 / r.floor.client
      goals.push({goal: `${q.q.name}: p50 within ${q.q.goal.floorRatio}× the floor`, figure: `${ms(q.client.p50)} ms = ${ratio(x)}× ${ms(r.floor.client)}`, pass: x <= q.q.goal.floorRatio})
    } else if (at100k) {
      goals.push({goal: `${q.q.name}: ≤ ${q.q.goal.maxMs} ms at 100k`, figure: `${ms(q.client.p50)} ms`, pass: q.client.p50 <= q.q.goal.maxMs})
    }
    if (q.q.point && at100k && q.engine && q.plain) {
      const x = q.plain.p50 / q.engine.p50
      goals.push({goal: `${q.q.name}: evaluation ≥ 500× faster than plain groq-js`, figure: `${ms(q.plain.p50)} / ${ms(q.engine.p50)} ms = ${ratio(x)}×`, pass: x >= 500})
    }
    if (q.same === false) goals.push({goal: `${q.q.name}: same result as plain groq-js`, figure: 'different', pass: false})
  }

  console.log('')
  const m = r.mixed
  console.log(`Mixed load: document-by-_id p50 ${ms(m.without)} ms alone, ${ms(m.with)} ms with a writer at ${MIXED_TX_PER_SECOND} tx/s (${m.writerTx} transactions) = ${ratio(m.with / m.without)}×`)
  goals.push({goal: `point-query p50 with a writer at ${MIXED_TX_PER_SECOND} tx/s within 2× of without`, figure: `${ms(m.with)} / ${ms(m.without)} ms = ${ratio(m.with / m.without)}×`, pass: m.with <= 2 * m.without})
  const iso = r.isolation
  console.log(
    `Isolation: while a runaway query ran, ${iso.runs} document-by-_id queries: p50 ${ms(iso.p50)} ms, p99 ${ms(iso.p99)} ms; ` +
      `the runaway answered ${iso.runawayStatus} after ${ms(iso.runawayMs)} ms: ${iso.runawayError}`,
  )
  goals.push({goal: 'point-query p99 < 50 ms while a runaway query runs', figure: `${ms(iso.p99)} ms over ${iso.runs} queries`, pass: iso.runs > 0 && iso.p99 < 50})
  goals.push({goal: 'the runaway query gets its error', figure: `${iso.runawayStatus} after ${ms(iso.runawayMs)} ms`, pass: iso.runawayStatus >= 400})

  console.log('')
  const rows: string[][] = [
    ['load (createOrReplace over HTTP)', ms(r.load.ms), `${int(r.load.documents)} documents in ${int(r.load.transactions)} transactions of ~${BATCH_SIZE}, ${LOAD_IN_FLIGHT} in flight, ${r.load.prebuilt ? 'bodies made before the clock started' : 'bodies generated while sending'}: ${int(r.load.documents / (r.load.ms / 1000))} docs/s`],
    ...r.writes.map((w) => [
      `durable transactions, ${w.writers} writer${w.writers > 1 ? 's' : ''}`,
      ms(w.ms),
      `${int(w.transactions)} one-patch transactions = ${int(w.perSecond)} tx/s; each p50 ${ms(w.p50Ms)} ms, p99 ${ms(w.p99Ms)} ms`,
    ]),
    ...r.restarts.map((s) => [
      `start-up ${s.label}`,
      ms(s.readyMs),
      `spawn → listening; then count(*) ${ms(s.countMs)} ms${s.compactedMs === null ? '' : `; the compaction after it done at ${ms(s.compactedMs)} ms (writes waited until then)`}; peak RSS ${mb(s.peakRss)} MB, heap after ${mb(s.heapUsed)} MB${s.log ? `; lake: ${s.log}` : ''}`,
    ]),
    [
      'start-up parsing every document',
      ms(r.startFloor.bootMs + r.startFloor.parseMs),
      `what a start-up that parsed every document could not go below: an empty lake's spawn → listening ${ms(r.startFloor.bootMs)} ms + reading and JSON.parse of every snapshot line, in a bare node process, ${ms(r.startFloor.parseMs)} ms; start-up from the snapshot (heads only, src/lake/deferred.ts) = ${ratio((r.restarts.at(-1)?.readyMs ?? 0) / (r.startFloor.bootMs + r.startFloor.parseMs))}× that`,
    ],
  ]
  console.log(table(['operation', 'ms', 'detail'], rows, ['left', 'right', 'left']))
  const docsPerSecond = r.load.documents / (r.load.ms / 1000)
  goals.push({goal: 'load ≥ 20,000 documents/s', figure: `${int(docsPerSecond)} docs/s`, pass: docsPerSecond >= 20_000})
  const many = r.writes.find((w) => w.writers === 16)
  if (many) goals.push({goal: '≥ 2,000 durable transactions/s with 16 writers', figure: `${int(many.perSecond)} tx/s`, pass: many.perSecond >= 2_000})
  if (r.size <= 100_000) {
    for (const s of r.restarts) goals.push({goal: `start-up ${s.label} ≤ 2 s`, figure: `${ms(s.readyMs)} ms`, pass: s.readyMs <= 2_000})
  }

  console.log('')
  const heap = r.memory.loaded.heapUsed
  const lakeShare = heap - r.memory.empty.heapUsed
  console.log(
    `Memory of the lake process after a full GC: heap ${mb(heap)} MB (empty lake ${mb(r.memory.empty.heapUsed)} MB), RSS ${mb(r.memory.loaded.rss)} MB; ` +
      `documents' JSON ${mb(r.load.bytes)} MB as generated, snapshot file ${mb(r.memory.snapshotBytes)} MB; heap / JSON = ${ratio(heap / r.load.bytes)}` +
      (r.memory.loaded.gc ? '' : ' (no forced GC: --expose-gc missing)'),
  )
  goals.push({goal: 'lake heap ≤ 2× the documents\' JSON size', figure: `${mb(heap)} MB / ${mb(r.load.bytes)} MB = ${ratio(heap / r.load.bytes)}× (documents alone ${ratio(lakeShare / r.load.bytes)}×)`, pass: heap <= 2 * r.load.bytes})

  console.log('')
  if (typeof r.site === 'string') console.log(`Site pages: ${r.site}`)
  else {
    console.log('Site pages (bench/site.ts): server time of the reader\'s pages beside the lake query each runs')
    console.log(siteTable(r.site))
  }

  console.log('')
  console.log('npm scripts against the running lake (wall time of a fresh process, as typed in a shell):')
  console.log(table(['command', 'p50 ms', 'max ms', 'runs'], r.scripts.map((t) => [t.command, ms(t.p50), ms(t.max), String(t.runs)]), ['left', 'right', 'right', 'right']))
  const query = r.scripts[0]
  if (query) goals.push({goal: 'npm run -s query against a running lake ≤ 1 s', figure: `${ms(query.p50)} ms (max ${ms(query.max)} ms)`, pass: query.p50 <= 1_000})

  console.log('')
  console.log(`Goals at ${int(r.size)} documents:`)
  console.log(table(['goal', 'figure', ''], goals.map((g) => [g.goal, g.figure, verdict(g.pass)]), ['left', 'left', 'left']))
  return goals
}

async function main(): Promise<void> {
  const sizes = envSizes()
  const plainMax = envInt('BENCH_PLAIN_MAX', 100_000)
  const siteMax = envInt('BENCH_SITE_MAX', 100_000)
  const largest = Math.max(...sizes)
  // V8's default old space (about 4 GB here) is too small for a million documents.
  const heapMB = envInt('BENCH_LAKE_HEAP_MB', largest > 200_000 ? Math.min(Math.floor((os.totalmem() / 1024 / 1024) * 0.6), Math.ceil(largest / 1000) * 12) : 4096)
  const cpus = os.cpus()
  const started = Date.now()
  console.log('sanity-newsroom local lake benchmark')
  console.log(
    `machine: node ${process.version}, ${os.platform()} ${os.release()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown cpu'}, ` +
      `${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; lake dirs under ${os.tmpdir()}`,
  )
  console.log(
    `settings: BENCH_SIZES=${sizes.join(',')} BENCH_PLAIN_MAX=${plainMax} BENCH_SITE_MAX=${siteMax} BENCH_LAKE_HEAP_MB=${heapMB}; ` +
      `the lake runs in its own process (node src/cli/launch.mjs lake, the compiled lake as npm run lake starts it), plain groq-js in this one`,
  )
  for (const size of sizes) {
    const sizeStarted = Date.now()
    printSize(await benchSize(size, {plainMax, siteMax, heapMB}))
    console.log(`(${int(size)} documents took ${((Date.now() - sizeStarted) / 1000).toFixed(0)} s)`)
  }
  console.log('')
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err))
  process.exitCode = 1
})
