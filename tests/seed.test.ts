// The seed migration end to end: the real seed script against a real lake over HTTP.
import {execFileSync} from 'node:child_process'
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import type {SanityClient} from '@sanity/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import type {ArticleBySlugQueryResult, PersonBySlugQueryResult, QuotesBySpeakerQueryResult} from '../sanity.types'
import {readSeedText} from '../seed/article'
import {blockText} from '../src/importer/portableText'
import type {Block} from '../src/content/types'
import {formatProblem, validateDocuments, type ExtractedSchema, type ValidatableDocument} from '../src/content/validate'
import * as queries from '../src/queries'
import {lakeClient, makeTempDir, removeTempDirs, REPO_ROOT, runScript, spawnLake, stopAllLakes, type SpawnedLake} from './helpers/lake'
import {shapeMismatches} from './helpers/shape'

const SOURCE = readSeedText()
const LINES = SOURCE.split('\n').map((line) => line.trim()).filter(Boolean)
const SPEAKER = 'person-christian-james'
const NO_HOSTED = {SANITY_PROJECT_ID: '', SANITY_DATASET: '', SANITY_API_TOKEN: ''}

let lake: SpawnedLake
let client: SanityClient
let firstRun: {code: number | null; stdout: string; stderr: string}

function seed() {
  return runScript('src/cli/seed.ts', [], {...NO_HOSTED, LAKE_DIR: lake.dir, LAKE_PORT: String(lake.port), LAKE_TOKEN: ''}, 60_000)
}

beforeAll(async () => {
  lake = await spawnLake()
  client = lakeClient(lake)
  firstRun = await seed()
})

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

async function article(): Promise<NonNullable<ArticleBySlugQueryResult>> {
  const slug = await client.fetch<string>('*[_type == "article"][0].slug.current')
  const result = await client.fetch<ArticleBySlugQueryResult>(queries.articleBySlugQuery, {slug})
  if (!result) throw new Error('seeded article not found')
  return result
}

describe('npm run seed on a fresh lake', () => {
  it('succeeds and reports what it created', () => {
    expect(firstRun.stderr).toBe('')
    expect(firstRun.code).toBe(0)
    expect(firstRun.stdout).toMatch(/created: +19 \(9 organization, 1 person, 8 quote, 1 article\)/)
    expect(firstRun.stdout).toMatch(/already there: 0/)
  })

  it('writes exactly the expected documents by type', async () => {
    const counts = await client.fetch<Record<string, number>>(`{
      "article": count(*[_type == "article"]), "person": count(*[_type == "person"]),
      "quote": count(*[_type == "quote"]), "organization": count(*[_type == "organization"]),
      "other": count(*[!(_type in ["article", "person", "quote", "organization"])])}`)
    expect(counts).toEqual({article: 1, person: 1, quote: 8, organization: 9, other: 0})
    const people = await client.fetch<Array<{name: string; nameLatin: string}>>('*[_type == "person"]{name, nameLatin}')
    expect(people).toEqual([{name: 'كريستيان جيمس', nameLatin: 'Christian James'}])
    const orgs = await client.fetch<string[]>('*[_type == "organization"].name')
    for (const name of ['داعش', 'قوات سوريا الديمقراطية', 'الأمم المتحدة', 'وكالة أنباء هاوار']) expect(orgs).toContain(name)
  })

  it('keeps the structure of the source: headline, lead, two subheadings, paragraphs in order, no chrome', async () => {
    const doc = await article()
    expect(doc.headline).toBe(LINES[0])
    expect(doc.lead).toBe(LINES[1])
    expect(doc.sourceText).toBe(SOURCE)
    const body = (doc.body ?? []) as unknown as Block[]
    expect(body.filter((b) => b.style === 'h2').map(blockText)).toEqual([LINES[4], LINES[6]])
    // Every remaining source line, in order, editorial note included, page chrome excluded.
    expect(body.map(blockText)).toEqual(LINES.slice(2, 11))
    expect(body.map(blockText).at(-1)).toMatch(/^الجدير بالذكر/)
    for (const chrome of ['اظهر المزيد', 'زر الذهاب إلى الأعلى']) {
      expect(body.some((b) => blockText(b).includes(chrome))).toBe(false)
    }
  })

  it('makes the spokesperson’s direct statements direct quotes, verbatim, by Christian James', async () => {
    const quotes = await client.fetch<Array<{text: string; kind: string; speaker: string}>>(
      '*[_type == "quote"]{text, kind, "speaker": speaker._ref}',
    )
    const direct = [
      'نحث كافة الدول على عدم العمل على تطوير علاقاتها الدبلوماسية',
      'منع عودة ظهوره يتطلب مشاركة أمريكية متجددة',
      'ما زالت قوات سوريا الديمقراطية',
      'الإجراءات السريعة التي اتخذها قسد',
    ]
    const indirect = ['سعي الولايات المتحدة لتجديد جهودها', 'سيستخدمون الأدوات المتاحة', 'داعش يشكل تهديداً خطيراً في سوريا ويستفيد']
    for (const words of direct) {
      const quote = quotes.find((q) => q.text.includes(words))
      expect(quote, words).toMatchObject({kind: 'direct', speaker: SPEAKER})
    }
    for (const words of indirect) {
      const quote = quotes.find((q) => q.text.includes(words))
      expect(quote, words).toMatchObject({kind: 'indirect', speaker: SPEAKER})
    }
    for (const quote of quotes) expect(SOURCE.includes(quote.text), quote.text).toBe(true)
  })

  it('attributes the editorial note to no one', async () => {
    const doc = await article()
    const note = (doc.body as unknown as Block[]).at(-1)!
    expect(note.markDefs.filter((m) => m._type === 'quote')).toEqual([])
    const inNote = await client.fetch<number>('count(*[_type == "quote" && blockKey == $key])', {key: note._key})
    expect(inNote).toBe(0)
  })

  it('passes the validator', async () => {
    const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schema.json'), 'utf8')) as ExtractedSchema
    const docs = await client.fetch<ValidatableDocument[]>('*', {}, {perspective: 'raw'})
    expect(validateDocuments(schema, docs).map(formatProblem)).toEqual([])
  })

  it('prints the headline and the quotes with speakers, isolated for right-to-left terminals', () => {
    expect(firstRun.stdout).toContain(`headline: \u2067${LINES[0]}\u2069`)
    const quoteLines = firstRun.stdout.split('\n').filter((line) => /^ {2}\d+\. \[(direct|indirect)\]/.test(line))
    expect(quoteLines).toHaveLength(8)
    for (const line of quoteLines) expect(line).toContain('\u2067كريستيان جيمس\u2069 (Christian James)')
  })
})

describe('every query returns the seeded data in the generated types’ shape', () => {
  it('articleBySlugQuery, with quotes and annotations resolved', async () => {
    const slug = await client.fetch<string>('*[_type == "article"][0].slug.current')
    const result = await client.fetch<ArticleBySlugQueryResult>(queries.articleBySlugQuery, {slug})
    expect(shapeMismatches(queries.articleBySlugQuery, result, {slug})).toEqual([])
    expect(result?.quotes).toHaveLength(8)
    expect(result?.quotes.every((q) => q.speaker?.nameLatin === 'Christian James')).toBe(true)
    const marks = (result?.body ?? []).flatMap((b) => b.markDefs ?? [])
    expect(marks.filter((m) => m._type === 'quote').every((m) => 'quote' in m && m.quote?._id)).toBe(true)
  })

  it('quotesBySpeakerQuery and personBySlugQuery', async () => {
    const bySpeaker = await client.fetch<QuotesBySpeakerQueryResult>(queries.quotesBySpeakerQuery, {speakerId: SPEAKER})
    expect(shapeMismatches(queries.quotesBySpeakerQuery, bySpeaker)).toEqual([])
    expect(bySpeaker).toHaveLength(8)
    const person = await client.fetch<PersonBySlugQueryResult>(queries.personBySlugQuery, {slug: 'christian-james'})
    expect(shapeMismatches(queries.personBySlugQuery, person)).toEqual([])
    expect(person?.affiliation?.nameLatin).toMatch(/State/)
    expect(person?.quotes).toHaveLength(8)
  })

  it('searchQuery finds «داعش», latestArticlesQuery and quoteByIdQuery answer', async () => {
    const params = {q: 'داعش', limit: 50}
    const found = await client.fetch(queries.searchQuery, params)
    // Only the slice bound goes to the type check: a constant $q would let it fold the filter away.
    expect(shapeMismatches(queries.searchQuery, found, {limit: params.limit})).toEqual([])
    const ids = (found as Array<{_id: string; _type: string}>).map((r) => r._type)
    expect(ids).toContain('article')
    expect(ids.filter((t) => t === 'quote').length).toBeGreaterThanOrEqual(3)
    const latest = await client.fetch(queries.latestArticlesQuery, {limit: 5})
    expect(shapeMismatches(queries.latestArticlesQuery, latest, {limit: 5})).toEqual([])
    expect(latest).toHaveLength(1)
    const quoteId = await client.fetch<string>('*[_type == "quote"][0]._id')
    const quote = await client.fetch(queries.quoteByIdQuery, {id: quoteId})
    expect(shapeMismatches(queries.quoteByIdQuery, quote)).toEqual([])
  })
})

describe('render', () => {
  it('writes the seeded article as an HTML document with lang, dir and the source paragraphs', async () => {
    const slug = await client.fetch<string>('*[_type == "article"][0].slug.current')
    const out = path.join(makeTempDir('render-'), 'article.html')
    const run = await runScript('src/cli/render.ts', [slug, '--out', out], {...NO_HOSTED, LAKE_DIR: lake.dir, LAKE_PORT: String(lake.port)})
    expect(run.code).toBe(0)
    const html = readFileSync(out, 'utf8')
    expect(html).toMatch(/<html lang="ar" dir="rtl">/)
    expect(html).toMatch(/<article lang="ar" dir="rtl">/)
    const paragraphs = [...html.matchAll(/<(p|h2)>([\s\S]*?)<\/\1>/g)].map((m) => m[2]!.replace(/<[^>]+>/g, ''))
    expect(paragraphs).toEqual(LINES.slice(2, 11))
    expect((html.match(/<q /g) ?? []).length).toBe(8)
  })
})

describe('a second run', () => {
  it('creates nothing, keeps an editor’s change and reports it', async () => {
    const doc = await article()
    const edited = `${doc.headline} (مُحرَّر)`
    await client.patch(doc._id).set({headline: edited}).commit()
    const before = await client.fetch<number>('count(*)', {}, {perspective: 'raw'})

    const second = await seed()
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(/created: +0\n/)
    expect(second.stdout).toMatch(/already there: 19/)
    expect(second.stdout).toMatch(/differs: +1 /)
    expect(second.stdout).toContain(`${doc._id}: headline`)
    expect(await client.fetch<number>('count(*)', {}, {perspective: 'raw'})).toBe(before)
    expect((await article()).headline).toBe(edited)
  })
})

describe('the real Sanity CLI', () => {
  it('dry-runs the migration from an export tarball and lists the mutations it would make', async () => {
    // The export holds one seeded document, so the migration should leave that one out.
    const dir = makeTempDir('export-')
    const exported = await client.fetch<ValidatableDocument[]>('*[_id == "person-christian-james"]', {}, {perspective: 'raw'})
    mkdirSync(path.join(dir, 'export'))
    writeFileSync(path.join(dir, 'export', 'data.ndjson'), exported.map((d) => JSON.stringify(d)).join('\n') + '\n')
    execFileSync('tar', ['czf', 'export.tar.gz', 'export'], {cwd: dir})
    const output = execFileSync('npx', ['sanity', 'migration', 'run', 'seed-article', '--from-export', path.join(dir, 'export.tar.gz')], {
      cwd: REPO_ROOT,
      env: {...process.env, ...NO_HOSTED, SANITY_AUTH_TOKEN: 'offline-dry-run', SANITY_TELEMETRY_DISABLED: '1'},
      encoding: 'utf8',
      timeout: 120_000,
    })
    const listed = [...output.matchAll(/\[createIfNotExists\] \[(\w+)\] ([\w-]+)/g)].map((m) => `${m[1]}:${m[2]}`)
    expect(output).toMatch(/dry/i)
    expect(listed).toHaveLength(18)
    expect(listed).not.toContain('person:person-christian-james')
    expect(listed).toContain('article:article-7c4fc380b91d5dac')
    expect(listed.filter((entry) => entry.startsWith('quote:'))).toHaveLength(8)
  }, 180_000)
})
