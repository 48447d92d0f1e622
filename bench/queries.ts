// The queries the benchmark times, with their parameters for one dataset.
import {articleBySlugQuery, latestArticlesQuery, quotesBySpeakerQuery} from '../src/queries'
import type {Dataset} from './generate'

export interface BenchQuery {
  name: string
  query: string
  params: Record<string, string | number>
}

export function benchQueries(data: Dataset): BenchQuery[] {
  return [
    {name: 'article by slug (people, quotes ->)', query: articleBySlugQuery, params: {slug: data.sample.slug}},
    {name: 'document by _id', query: '*[_id == $id][0]', params: {id: data.sample.id}},
    {name: 'latest 20 articles', query: latestArticlesQuery, params: {limit: 20}},
    {name: 'quotes by speaker', query: quotesBySpeakerQuery, params: {speakerId: data.sample.speakerId}},
    {name: 'count(*[_type == "quote"])', query: 'count(*[_type == "quote"])', params: {}},
  ]
}

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
