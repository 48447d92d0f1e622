import {performance} from 'node:perf_hooks'
import type {SanityClient} from '@sanity/client'
import {afterAll, beforeAll, expect, it} from 'vitest'
import {lakeClient, lakeRequest, removeTempDirs, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'
import {PlainGroq, type PlainOutcome} from './plain'
import {loadSuite, sameResult, type Suite, type SuiteTest} from './suite'

/**
 * `npm run test:groq`: the official GROQ conformance suite through the lake's HTTP API, beside
 * plain groq-js on the same tests in the same run. Every test plain groq-js passes must pass
 * on the lake. Runaways are cut: by LAKE_QUERY_TIMEOUT_MS in the lake, by PLAIN_TIMEOUT_MS here.
 */

/** Deadline for one test, both sides; the suite's queries take milliseconds but for "nested 3" (minutes). */
const TIMEOUT_MS = 5000
const MUTATE = '/v2025-02-19/data/mutate/production'

type LakeOutcome = {ok: true; result: unknown} | {ok: false; status: number; error: string}

let suite: Suite
let lake: SpawnedLake
let client: SanityClient
const plain = new PlainGroq(TIMEOUT_MS)

beforeAll(async () => {
  suite = loadSuite()
  lake = await spawnLake({env: {LAKE_QUERY_TIMEOUT_MS: String(TIMEOUT_MS)}})
  // As an app would ask: @sanity/client (GET, or POST for long queries), every document as stored.
  client = lakeClient(lake).withConfig({perspective: 'raw'})
})

afterAll(async () => {
  await plain.close()
  await stopAllLakes()
  removeTempDirs()
})

/** Replaces the lake's documents with the dataset's, in two transactions. */
async function loadIntoLake(documents: Array<Record<string, unknown>>): Promise<string | null> {
  const cleared = await lakeRequest(lake, 'POST', MUTATE, {body: {mutations: [{delete: {query: '*'}}]}})
  if (cleared.status !== 200) return `clearing the lake failed: ${cleared.status} ${cleared.text.slice(0, 300)}`
  if (documents.length === 0) return null
  const loaded = await lakeRequest(lake, 'POST', MUTATE, {body: {mutations: documents.map((doc) => ({createOrReplace: doc}))}})
  return loaded.status === 200 ? null : `loading failed: ${loaded.status} ${loaded.text.slice(0, 300)}`
}

async function askLake(test: SuiteTest): Promise<LakeOutcome> {
  try {
    return {ok: true, result: await client.fetch(test.query, test.params)}
  } catch (err) {
    const e = err as {statusCode?: number; message?: string}
    return {ok: false, status: e.statusCode ?? 0, error: e.message ?? String(err)}
  }
}

function plainPasses(test: SuiteTest, outcome: PlainOutcome): boolean {
  return test.valid ? outcome.ok && sameResult(outcome.result, test.result) : !outcome.ok
}

function lakePasses(test: SuiteTest, outcome: LakeOutcome): boolean {
  return test.valid ? outcome.ok && sameResult(outcome.result, test.result) : !outcome.ok && outcome.status === 400
}

it('passes every conformance test that plain groq-js passes', {timeout: 30 * 60_000}, async () => {
  const started = performance.now()
  const byDataset = new Map<string, SuiteTest[]>()
  for (const test of suite.tests) byDataset.set(test.datasetId, [...(byDataset.get(test.datasetId) ?? []), test])

  let runnable = 0
  let skipped = 0
  let plainPassed = 0
  let lakePassed = 0
  const regressions: string[] = []
  const slowest: Array<{name: string; ms: number}> = []
  for (const [datasetId, tests] of byDataset) {
    const documents = suite.datasets.get(datasetId)?.documents
    if (!documents) {
      skipped += tests.length
      continue
    }
    const loadProblem = await loadIntoLake(documents)
    plain.useDataset(documents)
    for (const test of tests) {
      runnable++
      const t0 = performance.now()
      const [plainOutcome, lakeOutcome] = await Promise.all([plain.run(test.query, test.params), loadProblem ? null : askLake(test)])
      slowest.push({name: test.name, ms: performance.now() - t0})
      const plainOk = plainPasses(test, plainOutcome)
      const lakeOk = lakeOutcome !== null && lakePasses(test, lakeOutcome)
      if (plainOk) plainPassed++
      if (lakeOk) lakePassed++
      if (plainOk && !lakeOk) {
        const got = lakeOutcome === null ? loadProblem : lakeOutcome.ok ? JSON.stringify(lakeOutcome.result).slice(0, 300) : `${lakeOutcome.status} ${lakeOutcome.error.slice(0, 300)}`
        regressions.push(`${test.name} (${test.id}): ${test.query.slice(0, 200)}\n    expected ${test.valid ? JSON.stringify(test.result).slice(0, 300) : 'a 400'}, the lake gave ${got}`)
      }
    }
  }
  const seconds = (performance.now() - started) / 1000
  slowest.sort((a, b) => b.ms - a.ms)
  console.log(
    [
      `GROQ conformance suite: ${suite.tests.length} tests in ${suite.file}`,
      `  runnable: ${runnable} (skipped ${skipped}: their dataset is only a URL)`,
      `  plain groq-js passes: ${plainPassed}`,
      `  lake passes: ${lakePassed}`,
      `  passed by groq-js, failed by the lake: ${regressions.length}`,
      `  run time: ${seconds.toFixed(1)} s; slowest: ${slowest
        .slice(0, 3)
        .map((s) => `${s.name} ${(s.ms / 1000).toFixed(1)} s`)
        .join(', ')}`,
      ...regressions.map((r) => `  ✗ ${r}`),
    ].join('\n'),
  )
  // A broken harness would pass nothing on either side and find no regressions.
  expect(plainPassed, 'plain groq-js passes most of the suite (else the harness is broken)').toBeGreaterThan(runnable * 0.7)
  expect(regressions, 'tests plain groq-js passes and the lake fails').toEqual([])
})
