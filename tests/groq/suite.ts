import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import {REPO_ROOT} from '../helpers/lake'

/**
 * The official GROQ conformance suite (sanity-io/groq-test-suite), compiled to NDJSON:
 * dataset lines and test lines. GROQ_SUITE names the file; CI keeps a copy beside the clone.
 */

export interface SuiteDataset {
  id: string
  name: string
  /** Absent for datasets the suite only links to (a URL); their tests are skipped. */
  documents?: Array<Record<string, unknown>>
}

export interface SuiteTest {
  id: string
  name: string
  query: string
  params: Record<string, unknown>
  result: unknown
  /** False: the query must be rejected (a 400 from an HTTP API). */
  valid: boolean
  datasetId: string
}

export interface Suite {
  file: string
  datasets: Map<string, SuiteDataset>
  tests: SuiteTest[]
}

export const DEFAULT_SUITE = 'tests/fixtures/groq-test-suite/suite.ndjson.gz'

export function suitePath(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(REPO_ROOT, env.GROQ_SUITE || DEFAULT_SUITE)
}

export function loadSuite(file = suitePath()): Suite {
  if (!fs.existsSync(file)) {
    throw new Error(
      `The GROQ conformance suite is not at ${file}: set GROQ_SUITE to the path of suite.ndjson.gz (sanity-io/groq-test-suite compiled with its src/build.js), relative to the repository or absolute`,
    )
  }
  const datasets = new Map<string, SuiteDataset>()
  const tests: SuiteTest[] = []
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n')
  lines.forEach((line, i) => {
    if (line.trim() === '') return
    const entry = JSON.parse(line) as Record<string, unknown>
    if (entry._type === 'dataset') {
      const documents = Array.isArray(entry.documents) ? (entry.documents as Array<Record<string, unknown>>) : undefined
      datasets.set(String(entry._id), {id: String(entry._id), name: String(entry.name), documents})
    } else if (entry._type === 'test') {
      const ref = (entry.dataset as {_ref?: string} | undefined)?._ref
      if (typeof entry.query !== 'string' || typeof ref !== 'string') throw new Error(`${file} line ${i + 1}: a test without a query or dataset`)
      tests.push({
        id: String(entry._id),
        name: String(entry.name),
        query: entry.query,
        params: (entry.params as Record<string, unknown> | null) ?? {},
        result: entry.result ?? null,
        valid: entry.valid !== false,
        datasetId: ref,
      })
    }
  })
  return {file, datasets, tests}
}

const SERVER_FIELDS = new Set(['_rev', '_createdAt', '_updatedAt'])

/** The value as JSON would carry it, without the fields a dataset server adds to documents. */
function normalize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normalize)
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, v] of Object.entries(value)) if (!SERVER_FIELDS.has(key)) out[key] = normalize(v)
    return out
  }
  return value
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((item, i) => equal(item, b[i]))
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false
  const ka = Object.keys(a)
  const kb = Object.keys(b)
  if (ka.length !== kb.length) return false
  const bo = b as Record<string, unknown>
  return ka.every((key) => Object.hasOwn(bo, key) && equal((a as Record<string, unknown>)[key], bo[key]))
}

/** Results compared as values: key order in objects does not matter, array order does. */
export function sameResult(actual: unknown, expected: unknown): boolean {
  const json = (v: unknown): unknown => (v === undefined ? null : JSON.parse(JSON.stringify(v)))
  return equal(normalize(json(actual)), normalize(json(expected)))
}
