import {evaluate, parse} from 'groq-js'
import {describe, expect, it} from 'vitest'
import * as queries from '../src/queries'
import type {
  ArticleBySlugQueryResult,
  LatestArticlesQueryResult,
  PersonBySlugQueryResult,
  QuoteByIdQueryResult,
  QuotesBySpeakerQueryResult,
  SearchQueryResult,
} from '../sanity.types'
import {article, directQuote, fixtureDocuments, minister, ministry, orgQuote} from './fixtures/documents'
import {shapeMismatches} from './helpers/shape'

async function run<T>(query: string, params: Record<string, unknown>): Promise<T> {
  const result = await evaluate(parse(query, {params}), {dataset: fixtureDocuments, params})
  return (await result.get()) as T
}

describe('queries', () => {
  it('exports only parseable queries that take parameters instead of spliced values', () => {
    const entries = Object.entries(queries)
    expect(entries.map(([name]) => name).sort()).toEqual([
      'articleBySlugQuery',
      'articlesPageQuery',
      'latestArticlesQuery',
      'organizationPageQuery',
      'personBySlugQuery',
      'personPageQuery',
      'quoteByIdQuery',
      'quotePageQuery',
      'quotesBySpeakerQuery',
      'searchCorpusByIdQuery',
      'searchCorpusQuery',
      'searchQuery',
      'searchResultsQuery',
      'sitemapQuery',
    ])
    for (const [name, query] of entries) {
      expect(() => parse(query, {params: {limit: 1, start: 0, end: 1}}), name).not.toThrow()
      expect(query, name).toMatch(/\$[a-zA-Z]+/)
    }
  })

  it('articleBySlugQuery expands people, organizations, quotes and annotations', async () => {
    const result = await run<ArticleBySlugQueryResult>(queries.articleBySlugQuery, {slug: article.slug.current})
    expect(shapeMismatches(queries.articleBySlugQuery, result)).toEqual([])
    expect(result?.headline).toBe(article.headline)
    expect(result?.sourceAgency?.name).toBe(ministry.name)
    expect(result?.people?.map((p) => p.name)).toEqual([minister.name])
    expect(result?.quotes.map((q) => [q._id, q.speaker?._id])).toEqual([
      [directQuote._id, minister._id],
      [orgQuote._id, ministry._id],
    ])
    const markDefs = result?.body?.[0]?.markDefs ?? []
    const quoteMark = markDefs.find((m) => m._type === 'quote')
    const mention = markDefs.find((m) => m._type === 'mention')
    expect(quoteMark && 'quote' in quoteMark ? quoteMark.quote?.speaker?.name : undefined).toBe(minister.name)
    expect(mention && 'target' in mention ? mention.target?.name : undefined).toBe(minister.name)
  })

  it('articleBySlugQuery gives null for an unknown slug', async () => {
    expect(await run(queries.articleBySlugQuery, {slug: 'no-such-article'})).toBeNull()
  })

  it('latestArticlesQuery orders by publishedAt, falling back to _createdAt, and limits', async () => {
    const newer = {...article, _id: 'article-newer', publishedAt: '2026-05-01T00:00:00Z', slug: {_type: 'slug', current: 'newer'}}
    const dataset = [...fixtureDocuments, newer]
    const params = {limit: 10}
    const result = (await (await evaluate(parse(queries.latestArticlesQuery, {params}), {dataset, params})).get()) as LatestArticlesQueryResult
    expect(shapeMismatches(queries.latestArticlesQuery, result, params)).toEqual([])
    expect(result.map((a) => a._id)).toEqual(['article-newer', article._id])
    const limited = (await (await evaluate(parse(queries.latestArticlesQuery, {params: {limit: 1}}), {dataset, params: {limit: 1}})).get()) as LatestArticlesQueryResult
    expect(limited.map((a) => a._id)).toEqual(['article-newer'])
  })

  it('personBySlugQuery returns the person with affiliation and quotes', async () => {
    const result = await run<PersonBySlugQueryResult>(queries.personBySlugQuery, {slug: 'layla-haddad'})
    expect(shapeMismatches(queries.personBySlugQuery, result)).toEqual([])
    expect(result?.affiliation?.name).toBe(ministry.name)
    expect(result?.quotes.map((q) => q.text)).toEqual([directQuote.text])
    expect(result?.quotes[0]?.article?.slug).toBe(article.slug.current)
  })

  it('quoteByIdQuery returns speaker and article', async () => {
    const result = await run<QuoteByIdQueryResult>(queries.quoteByIdQuery, {id: orgQuote._id})
    expect(shapeMismatches(queries.quoteByIdQuery, result)).toEqual([])
    expect(result?.speaker?._type).toBe('organization')
    expect(result?.article?.headline).toBe(article.headline)
  })

  it('quotesBySpeakerQuery returns only that speaker’s quotes', async () => {
    const result = await run<QuotesBySpeakerQueryResult>(queries.quotesBySpeakerQuery, {speakerId: ministry._id})
    expect(shapeMismatches(queries.quotesBySpeakerQuery, result)).toEqual([])
    expect(result.map((q) => q._id)).toEqual([orgQuote._id])
  })

  it('searchQuery finds Arabic words in headlines, leads and quotes', async () => {
    const result = await run<SearchQueryResult>(queries.searchQuery, {q: 'السد', limit: 10})
    expect(shapeMismatches(queries.searchQuery, result, {limit: 10})).toEqual([])
    expect(result.map((r) => r._id).sort()).toEqual([article._id, directQuote._id, orgQuote._id].sort())
    const none = await run<SearchQueryResult>(queries.searchQuery, {q: 'برتقال', limit: 10})
    expect(none).toEqual([])
  })

  it('treats a parameter holding GROQ as a plain value', async () => {
    const injected = await run(queries.articleBySlugQuery, {slug: '" || true || "'})
    expect(injected).toBeNull()
  })

  it('the shape check notices a result that does not match the generated type', () => {
    // A numeric _id fits neither the quote's object shape nor null: one mismatch, at the root, naming the value.
    expect(shapeMismatches(queries.quoteByIdQuery, {_id: 1, text: 'x'})).toEqual([expect.stringMatching(/^\$: .*got \{"_id":1,"text":"x"\}$/)])
  })
})
