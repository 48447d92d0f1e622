// The queries the benchmark times, with their parameters for one dataset.
import {articleBySlugQuery, latestArticlesQuery, quotesBySpeakerQuery} from '../src/queries'
import type {Sample} from './generate'

export interface BenchQuery {
  name: string
  query: string
  params: Record<string, string | number>
  /** Which of the goals it is checked against: p50 within `floorRatio` × the floor, or under `maxMs`. */
  goal: {floorRatio: number} | {maxMs: number}
  /** A point query: its in-process evaluation is compared with plain groq-js (≥ 500× at 100k). */
  point: boolean
}

export const FLOOR_QUERY = '1'

export function benchQueries(sample: Sample): BenchQuery[] {
  return [
    {name: 'document by _id', query: '*[_id == $id][0]', params: {id: sample.id}, goal: {floorRatio: 3}, point: true},
    {name: 'article by slug (->)', query: articleBySlugQuery, params: {slug: sample.slug}, goal: {floorRatio: 3}, point: true},
    {name: 'quotes by speaker', query: quotesBySpeakerQuery, params: {speakerId: sample.speakerId}, goal: {floorRatio: 3}, point: true},
    {name: 'latest 20 articles', query: latestArticlesQuery, params: {limit: 20}, goal: {floorRatio: 5}, point: false},
    {name: 'count(*[_type == "quote"])', query: 'count(*[_type == "quote"])', params: {}, goal: {floorRatio: 3}, point: false},
    {name: 'headline match $q', query: '*[_type == "article" && headline match $q][0...20]{_id, headline}', params: {q: sample.word}, goal: {maxMs: 20}, point: false},
  ]
}

/**
 * "nested 3"-like: subqueries nested in filters, which groq-js evaluates once per outer document
 * (n^4 work). It must be stopped by the lake's query deadline, not stall it.
 */
export const RUNAWAY_QUERY = '*[_id in *[_id in *[_id in *[_type == "quote"]._id]._id]._id]._id'

/** How many items a result has (1 for a single object or number, 0 for null), for a sanity check. */
export function resultSize(result: unknown): number {
  if (Array.isArray(result)) return result.length
  return result === null || result === undefined ? 0 : 1
}

/** A stable JSON form of a result without the fields only the server sets, to compare lake and plain. */
export function comparable(value: unknown): string {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip)
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {}
      for (const key of Object.keys(v).sort()) {
        if (key === '_rev' || key === '_createdAt' || key === '_updatedAt') continue
        out[key] = strip((v as Record<string, unknown>)[key])
      }
      return out
    }
    return v
  }
  return JSON.stringify(strip(value))
}
