import {readFileSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {messages} from '../src/content/rules'
import {formatProblem, validateDocuments, type ExtractedSchema, type ValidatableDocument} from '../src/content/validate'
import {article, copy, directQuote, fixtureDocuments, minister, ministry, orgQuote} from './fixtures/documents'

const schema = JSON.parse(readFileSync(new URL('../schema.json', import.meta.url), 'utf8')) as ExtractedSchema

function problemsAfter(change: (docs: ValidatableDocument[]) => void) {
  const docs = copy(fixtureDocuments)
  change(docs)
  return validateDocuments(schema, docs)
}

function byId<T extends ValidatableDocument>(docs: ValidatableDocument[], doc: T): T {
  return docs.find((d) => d._id === doc._id) as T
}

describe('validateDocuments', () => {
  it('accepts the well-formed fixture dataset', () => {
    expect(validateDocuments(schema, fixtureDocuments)).toEqual([])
  })

  it('rejects a quote without a speaker with the speaker message', () => {
    const problems = problemsAfter((docs) => delete (byId(docs, directQuote) as Partial<typeof directQuote>).speaker)
    expect(problems).toEqual([{documentId: directQuote._id, path: 'speaker', message: messages.speaker}])
  })

  it('rejects a dangling reference and names the missing id', () => {
    const problems = problemsAfter((docs) => {
      byId(docs, orgQuote).speaker = {_type: 'reference', _ref: 'person-nobody'}
    })
    expect(problems).toEqual([{documentId: orgQuote._id, path: 'speaker', message: messages.reference('person-nobody')}])
  })

  it('accepts a weak reference to a missing document', () => {
    const problems = problemsAfter((docs) => {
      (byId(docs, orgQuote) as ValidatableDocument).article = {_type: 'reference', _ref: 'article-gone', _weak: true}
    })
    expect(problems).toEqual([])
  })

  it('rejects a reference to a document of the wrong type', () => {
    const problems = problemsAfter((docs) => {
      byId(docs, minister).affiliation = {_type: 'reference', _ref: directQuote._id}
    })
    expect(problems).toEqual([
      {documentId: minister._id, path: 'affiliation', message: messages.referenceType(directQuote._id, 'quote', ['organization'])},
    ])
  })

  it('checks references inside Portable Text annotations', () => {
    const problems = problemsAfter((docs) => {
      const block = byId(docs, article).body[0]!
      block.markDefs[1] = {_type: 'quote', _key: 'q1', quote: {_type: 'reference', _ref: 'quote-missing'}}
    })
    expect(problems).toEqual([
      {documentId: article._id, path: 'body[_key=="b1"].markDefs[_key=="q1"].quote', message: messages.reference('quote-missing')},
    ])
  })

  it('rejects a bad slug with the slug message', () => {
    const problems = problemsAfter((docs) => {
      byId(docs, article).slug = {_type: 'slug', current: 'Not A Slug!'}
    })
    expect(problems).toEqual([{documentId: article._id, path: 'slug.current', message: messages.slugForm}])
  })

  it('rejects a missing slug as required', () => {
    const problems = problemsAfter((docs) => delete (byId(docs, ministry) as Partial<typeof ministry>).slug)
    expect(problems).toEqual([{documentId: ministry._id, path: 'slug', message: messages.required('Slug')}])
  })

  it('rejects a bad language code with the language message', () => {
    for (const code of ['arabic', 'a', '12', 'ar_SY!']) {
      const problems = problemsAfter((docs) => {
        byId(docs, article).language = code
      })
      expect(problems, code).toEqual([{documentId: article._id, path: 'language', message: messages.language}])
    }
  })

  it('accepts regional and script language tags', () => {
    for (const code of ['ar-SY', 'ckb', 'en-GB', 'ar-Latn']) {
      expect(problemsAfter((docs) => void (byId(docs, article).language = code)), code).toEqual([])
    }
  })

  it('rejects an unknown quote kind and unsafe link schemes', () => {
    const problems = problemsAfter((docs) => {
      byId(docs, directQuote).kind = 'rumour'
      byId(docs, article).body[0]!.markDefs[2] = {_type: 'link', _key: 'l1', href: 'javascript:alert(1)'}
    })
    expect(problems).toEqual([
      {documentId: article._id, path: 'body[_key=="b1"].markDefs[_key=="l1"].href', message: messages.linkScheme},
      {documentId: directQuote._id, path: 'kind', message: messages.quoteKind},
    ])
  })

  it('reports missing required fields and unknown types, one line each', () => {
    const problems = validateDocuments(schema, [
      {_id: 'article-empty', _type: 'article'},
      {_id: 'x', _type: 'recipe'},
    ])
    const paths = problems.filter((p) => p.documentId === 'article-empty').map((p) => p.path)
    expect(paths).toEqual(expect.arrayContaining(['headline', 'slug', 'body', 'language']))
    expect(problems.find((p) => p.documentId === 'x')?.message).toMatch(/Unknown document type "recipe".*article/)
    for (const line of problems.map(formatProblem)) expect(line.split('\t')).toHaveLength(3)
  })

  it('resolves references against documents outside the checked set', () => {
    const quoteOnly = [copy(directQuote)]
    expect(validateDocuments(schema, quoteOnly).map((p) => p.path)).toEqual(['speaker', 'article'])
    const existing = new Map([
      [minister._id, 'person'],
      [article._id, 'article'],
    ])
    expect(validateDocuments(schema, quoteOnly, existing)).toEqual([])
  })
})

describe('npm run validate', () => {
  it('prints one line per problem for NDJSON files and exits 1, or 0 when clean', async () => {
    const {makeTempDir, removeTempDirs, runScript} = await import('./helpers/lake')
    const {writeFileSync} = await import('node:fs')
    const dir = makeTempDir('validate-')
    const broken = copy(fixtureDocuments)
    delete (byId(broken, directQuote) as Partial<typeof directQuote>).speaker
    writeFileSync(`${dir}/broken.ndjson`, broken.map((d) => JSON.stringify(d)).join('\n') + '\n')
    writeFileSync(`${dir}/clean.ndjson`, fixtureDocuments.map((d) => JSON.stringify(d)).join('\n') + '\n')
    try {
      const bad = await runScript('src/cli/validate.ts', [`${dir}/broken.ndjson`])
      expect(bad.code).toBe(1)
      expect(bad.stdout).toBe(`${directQuote._id}\tspeaker\t${messages.speaker}\n`)
      const good = await runScript('src/cli/validate.ts', [`${dir}/clean.ndjson`])
      expect(good.code).toBe(0)
      expect(good.stdout).toBe('')
      expect(good.stderr).toContain(`${fixtureDocuments.length} documents checked, 0 problems.`)
      const missing = await runScript('src/cli/validate.ts', [`${dir}/missing.ndjson`])
      expect(missing.code).toBe(2)
      expect(missing.stderr).toMatch(/Cannot read .*missing\.ndjson: ENOENT/)
    } finally {
      removeTempDirs()
    }
  })
})
