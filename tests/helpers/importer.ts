// Shared checks for importer output: invariants every import must satisfy.
import {readFileSync} from 'node:fs'
import {expect} from 'vitest'
import type {ImportResult} from '../../src/importer/importer'
import type {Block, NewsroomDoc} from '../../src/content/types'
import {validateDocuments, formatProblem, type ExtractedSchema, type ValidatableDocument} from '../../src/content/validate'

export const ID_FORM = /^[a-zA-Z0-9_-]+$/

export const readText = (relative: string): string => readFileSync(new URL(`../../${relative}`, import.meta.url), 'utf8')

/** A block's text: its spans joined (written here, not taken from the importer under test). */
export const blockText = (block: Block): string => block.children.map((span) => span.text).join('')

/** Every _ref anywhere in a document. */
export function refsOf(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) refsOf(v, out)
  else if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>
    if (typeof record._ref === 'string') out.push(record._ref)
    for (const v of Object.values(record)) refsOf(v, out)
  }
  return out
}

/** The text covered by the spans that carry a mark, joined (spans of one range are adjacent). */
export function annotatedText(block: Block, markKey: string): string {
  return block.children
    .filter((s) => s.marks.includes(markKey))
    .map((s) => s.text)
    .join('')
}

export function schemaProblems(documents: readonly NewsroomDoc[]): string[] {
  const schema = JSON.parse(readText('schema.json')) as ExtractedSchema
  return validateDocuments(schema, JSON.parse(JSON.stringify(documents)) as ValidatableDocument[]).map(formatProblem)
}

/** Invariants that hold for every import, whatever the article. */
export function expectWellFormed(result: ImportResult, source: string): void {
  const {article, quotes, documents} = result
  const ids = documents.map((d) => d._id)
  expect(new Set(ids).size).toBe(ids.length)
  for (const id of ids) expect(id).toMatch(ID_FORM)
  // every reference resolves inside the import
  for (const doc of documents) for (const ref of refsOf(doc)) expect(ids, `${doc._id} → ${ref}`).toContain(ref)
  expect(article.sourceText).toBe(source)
  // a date only when the page states one, as an ISO date-time
  if (article.publishedAt !== undefined) expect(Number.isNaN(Date.parse(article.publishedAt))).toBe(false)
  expect(article.language).toBe('ar')

  const blockKeys = article.body.map((b) => b._key)
  expect(new Set(blockKeys).size).toBe(blockKeys.length)
  const annotated = new Map<string, string>()
  for (const block of article.body) {
    // spans concatenate back to a source line, verbatim
    expect(source.split(/\r?\n/).map((l) => l.trim())).toContain(blockText(block))
    const keys = [...block.children.map((s) => s._key), ...block.markDefs.map((m) => m._key)]
    expect(new Set(keys).size).toBe(keys.length)
    for (const span of block.children) {
      for (const mark of span.marks) expect(block.markDefs.map((m) => m._key)).toContain(mark)
    }
    for (const def of block.markDefs) {
      if (def._type === 'quote') {
        expect(annotated.has(def.quote._ref), `${def.quote._ref} annotated twice`).toBe(false)
        annotated.set(def.quote._ref, annotatedText(block, def._key))
        expect(quotes.find((q) => q._id === def.quote._ref)?.blockKey).toBe(block._key)
      }
    }
  }
  for (const quote of quotes) {
    expect(source).toContain(quote.text)
    expect(quote.text).toBe(quote.text.trim())
    // every quote doc is annotated in the body, over exactly its text
    expect(annotated.get(quote._id)).toBe(quote.text)
    expect(quote.article?._ref).toBe(article._id)
  }
  expect(annotated.size).toBe(quotes.length)
  expect(schemaProblems(documents)).toEqual([])
  // dependency order: organizations, people, quotes, article
  const rank = {organization: 0, person: 1, quote: 2, article: 3} as const
  const ranks = documents.map((d) => rank[d._type])
  expect([...ranks].sort((a, b) => a - b)).toEqual(ranks)
}
