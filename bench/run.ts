// `npm run bench`: the local lake against plain groq-js on synthetic datasets. See notes/readme-bench.md.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {batches, generateDataset} from './generate'
import {load, openLake, restart, smallMutations, type BenchLake, type LoadResult, type MutationResult, type RestartResult} from './lake'
import {collectGarbage, median, settledMemory, time, type MemorySample} from './measure'
import {plainQuery, withSystemFields, type PlainDoc} from './plain'
import {benchQueries, comparable, resultSize, type BenchQuery} from './queries'
import {int, mb, ms, ratio, table} from './report'

const BATCH_SIZE = 1000
/** Fewer repeats for a query when the repeats would take longer than this (lake + plain together). */
const QUERY_BUDGET_MS = 45_000
const MIN_RUNS = 3

function envInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
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

interface QueryResult {
  query: BenchQuery
  runs: number
  lakeMs: number
  plainMs: number
  items: number
  same: boolean
}

async function measureQuery(bench: BenchLake, plain: readonly PlainDoc[], q: BenchQuery, runs: number): Promise<QueryResult> {
  const lakeOnce = () => time(() => bench.client.fetch<unknown>(q.query, q.params))
  const plainOnce = () => time(() => plainQuery(plain, q.query, q.params))
  // Warm-up: JIT, the lake's view cache, connection set-up. Also the correctness check.
  const warmLake = await lakeOnce()
  const warmPlain = await plainOnce()
  const same = comparable(warmLake.value) === comparable(warmPlain.value)
  const affordable = Math.floor(QUERY_BUDGET_MS / Math.max(1, warmLake.ms + warmPlain.ms))
  const n = Math.max(Math.min(runs, MIN_RUNS), Math.min(runs, affordable))
  const lakeTimes: number[] = []
  const plainTimes: number[] = []
  for (let i = 0; i < n; i++) {
    // Interleaved, so drift (GC, CPU frequency) hits both sides alike.
    lakeTimes.push((await lakeOnce()).ms)
    plainTimes.push((await plainOnce()).ms)
  }
  return {query: q, runs: n, lakeMs: median(lakeTimes), plainMs: median(plainTimes), items: resultSize(warmLake.value), same}
}

interface Counts {
  size: number
  articles: number
  people: number
  quotes: number
}

interface SizeResult {
  data: Counts
  generateMs: number
  load: LoadResult
  queries: QueryResult[]
  mutations: MutationResult
  restarts: RestartResult[]
  memory: {before: MemorySample; generated: MemorySample; loaded: MemorySample; queried: MemorySample}
  lakeLog: string[]
}

function stamp(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`)
}

async function benchSize(size: number, runs: number, txCount: number): Promise<SizeResult> {
  const before = await settledMemory()
  stamp(`${int(size)}: generating`)
  const generated = await time(async () => generateDataset(size))
  const data = generated.value
  const docs = data.groups.flat()
  const plain = withSystemFields(docs, new Date().toISOString())
  const afterGenerate = await settledMemory()

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lake-bench-'))
  const lakeLog: string[] = []
  let bench: BenchLake | undefined
  try {
    bench = await openLake(dir, (line) => lakeLog.push(line))
    stamp(`${int(size)}: loading into the lake (${dir})`)
    const loaded = await load(bench.client, batches(data.groups, BATCH_SIZE))
    const count = await bench.client.fetch<number>('count(*)')
    if (count !== size) throw new Error(`the lake holds ${count} documents after the load, expected ${size}`)
    const afterLoad = await settledMemory()

    const queries: QueryResult[] = []
    for (const q of benchQueries(data)) {
      stamp(`${int(size)}: ${q.name}`)
      queries.push(await measureQuery(bench, plain, q, runs))
    }
    const afterQueries = await settledMemory()

    stamp(`${int(size)}: ${txCount} small transactions`)
    const mutations = await smallMutations(bench.client, data.quotes.map((d) => d._id), txCount)

    stamp(`${int(size)}: restarts`)
    const restarts: RestartResult[] = []
    for (let i = 0; i < 2; i++) {
      const {result: r, next} = await restart(bench, dir)
      bench = next
      if (r.count !== size) throw new Error(`the lake holds ${r.count} documents after restart ${i + 1}, expected ${size}`)
      restarts.push(r)
    }
    return {
      data: {size, articles: data.articles.length, people: data.people.length, quotes: data.quotes.length},
      generateMs: generated.ms,
      load: loaded,
      queries,
      mutations,
      restarts,
      memory: {before, generated: afterGenerate, loaded: afterLoad, queried: afterQueries},
      lakeLog,
    }
  } finally {
    await bench?.lake.close()
    fs.rmSync(dir, {recursive: true, force: true})
  }
}

function printSize(r: SizeResult, warmups: number): void {
  const {data} = r
  console.log('')
  console.log(
    `== ${int(data.size)} documents: ${int(data.articles)} articles, ${int(data.people)} people, ${int(data.quotes)} quotes ==`,
  )
  console.log('')
  console.log(`Queries: median of the runs shown, after ${warmups} warm-up; lake = @sanity/client → HTTP → lake; plain = groq-js on an array.`)
  console.log(
    table(
      ['query', 'lake ms', 'plain ms', 'lake/plain', 'runs', 'items', 'same result'],
      r.queries.map((q) => [q.query.name, ms(q.lakeMs), ms(q.plainMs), ratio(q.lakeMs / q.plainMs), String(q.runs), int(q.items), q.same ? 'yes' : 'NO']),
      ['left'],
    ),
  )
  console.log('')
  const l = r.load
  const m = r.mutations
  const rows: string[][] = [
    ['generate data (not the lake)', ms(r.generateMs), `${int(data.size)} documents, ${mb(l.bytes)} MB of JSON`],
    [
      'load (createOrReplace)',
      ms(l.ms),
      `${int(l.transactions)} transactions of ~${int(BATCH_SIZE)}; ${int(l.documents / (l.ms / 1000))} docs/s; tx median ${ms(l.medianTxMs)} ms, max ${ms(l.maxTxMs)} ms`,
    ],
    [
      'small transactions',
      ms(m.ms),
      `${m.count} sequential 1-patch transactions = ${ratio(m.perSecond)} tx/s; each median ${ms(m.medianMs)} ms, p95 ${ms(m.p95Ms)} ms`,
    ],
  ]
  r.restarts.forEach((s, i) => {
    const from = s.snapshotBytesBefore > 0 ? `snapshot ${mb(s.snapshotBytesBefore)} MB + log ${mb(s.logBytesBefore)} MB` : `log ${mb(s.logBytesBefore)} MB, no snapshot`
    const note = s.logLines.length > 0 ? `; lake said: ${s.logLines.join(' | ')}` : ''
    rows.push([`start-up ${i + 1} (until count(*) answers)`, ms(s.ms), `replays ${from}; startLake() alone ${ms(s.startMs)} ms${note}`])
  })
  console.log(table(['operation', 'ms', 'detail'], rows, ['left', 'right', 'left']))
  console.log('')
  const mem = r.memory
  console.log('Memory of the bench process (the lake runs in it), after a forced GC, MB:')
  console.log(
    table(
      ['when', 'rss', 'heapUsed', 'external'],
      (
        [
          ['before generating', mem.before],
          ['after generating (generated docs + plain copy)', mem.generated],
          ['after loading the lake', mem.loaded],
          ['after the queries', mem.queried],
        ] as const
      ).map(([label, sample]) => [label, sample.rssMB.toFixed(1), sample.heapUsedMB.toFixed(1), sample.externalMB.toFixed(1)]),
      ['left'],
    ),
  )
  console.log(
    `  → the lake's share ≈ heapUsed after loading − after generating = ${(mem.loaded.heapUsedMB - mem.generated.heapUsedMB).toFixed(1)} MB ` +
      `(${((mem.loaded.heapUsedMB - mem.generated.heapUsedMB) * 1024 / data.size).toFixed(1)} KB/document)`,
  )
  if (r.lakeLog.length > 0) console.log(`Lake log (first start and load): ${r.lakeLog.join(' | ')}`)
}

async function main(): Promise<void> {
  const sizes = envSizes()
  const runs = envInt('BENCH_RUNS', 7)
  const txCount = envInt('BENCH_TX', 300)
  const cpus = os.cpus()
  const started = Date.now()
  console.log('sanity-newsroom local lake benchmark')
  console.log(
    `machine: node ${process.version}, ${os.platform()} ${os.release()} ${os.arch()}, ${cpus.length} × ${cpus[0]?.model ?? 'unknown cpu'}, ` +
      `${(os.totalmem() / 1024 ** 3).toFixed(0)} GB RAM; lake dir under ${os.tmpdir()}`,
  )
  console.log(`settings: BENCH_SIZES=${sizes.join(',')} BENCH_RUNS=${runs} BENCH_TX=${txCount}; GC ${collectGarbage() ? 'forced before memory samples' : 'not available'}`)
  // Nothing of one size (documents, lakes) is kept for the next, so its memory figures start clean.
  for (const size of sizes) printSize(await benchSize(size, runs, txCount), 1)
  console.log('')
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err))
  process.exitCode = 1
})
