// Search that folds Arabic spelling variants (hamza forms of alef, ى/ي, ة/ه, diacritics, tatweel,
// الأميركية/الأمريكية): both the text and the query go through the importer's foldKey, and the
// comparison happens here, because GROQ `match` compares words as written and splits words at
// diacritics. The index holds only folded text; it is filled from the lake and kept current by the
// lake's listener (live.ts). Results are read back from the lake, so they show what the lake holds.
import {foldKey} from '../importer/arabic'
import type {SearchCorpusQueryResult} from '../../sanity.types'

export const SEARCH_TYPES = ['article', 'quote'] as const
/** Longer queries are refused with 400: no reader types 200 characters into a search box. */
export const MAX_QUERY_LENGTH = 200
export const MAX_QUERY_WORDS = 12

type CorpusDoc = SearchCorpusQueryResult[number]

interface Entry {
  type: string
  /** Folded fields, best first: a word in the headline counts more than one in the body. */
  fields: Array<{text: string; weight: number}>
}

const DRAFT = 'drafts.'
const isVersion = (id: string) => id.startsWith('versions.')

/** The query as folded words; empty when nothing searchable is left. */
export function queryWords(q: string): string[] {
  return [...new Set(foldKey(q).split(' ').filter(Boolean))].slice(0, MAX_QUERY_WORDS)
}

export interface SearchHit {
  /** The published id (the draft's id without `drafts.` in preview). */
  id: string
  score: number
}

export class SearchIndex {
  private readonly entries = new Map<string, Entry>()

  get size(): number {
    return this.entries.size
  }

  replaceAll(docs: readonly CorpusDoc[]): void {
    this.entries.clear()
    this.upsert(docs)
  }

  upsert(docs: readonly CorpusDoc[]): void {
    for (const doc of docs) {
      const fields = [
        {text: doc.headline, weight: 4},
        {text: doc.lead, weight: 3},
        {text: doc.text, weight: 3},
        {text: doc.body, weight: 1},
      ]
        .filter((f): f is {text: string; weight: number} => typeof f.text === 'string' && f.text !== '')
        .map((f) => ({text: foldKey(f.text), weight: f.weight}))
      this.entries.set(doc._id, {type: doc._type, fields})
    }
  }

  remove(ids: Iterable<string>): void {
    for (const id of ids) this.entries.delete(id)
  }

  /**
   * Documents holding every word of the query in some field, best first. Readers see published
   * documents; editors see a document's draft in place of its published version.
   */
  search(q: string, options: {drafts: boolean; limit: number}): {hits: SearchHit[]; total: number} {
    const words = queryWords(q)
    if (words.length === 0) return {hits: [], total: 0}
    const hits: SearchHit[] = []
    for (const [id, entry] of this.entries) {
      if (isVersion(id)) continue
      const isDraft = id.startsWith(DRAFT)
      if (isDraft && !options.drafts) continue
      if (!isDraft && options.drafts && this.entries.has(DRAFT + id)) continue
      let score = 0
      for (const word of words) {
        let best = 0
        for (const field of entry.fields) if (field.weight > best && field.text.includes(word)) best = field.weight
        if (best === 0) {
          score = 0
          break
        }
        score += best
      }
      if (score > 0) hits.push({id: isDraft ? id.slice(DRAFT.length) : id, score})
    }
    hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    return {hits: hits.slice(0, options.limit), total: hits.length}
  }
}
