// The planner and the indexes against plain groq-js: generated queries over a generated newsroom
// (with drafts, release versions and odd documents), through every perspective, anonymous and
// with a token, must return exactly what groq-js returns over the same view built the plain way.
import {evaluate, parse} from 'groq-js'
import {afterAll, describe, expect, it} from 'vitest'
import {generateDataset, prng} from '../../bench/generate'
import {applyPerspective, type Perspective} from '../../src/lake/perspective'
import {runQuery, type PlanStats} from '../../src/lake/planner'
import {DocumentStore, type Effect, type LakeDocument} from '../../src/lake/store'
import {viewOf} from '../../src/lake/views'
import {articleBySlugQuery, articlesPageQuery, latestArticlesQuery, personBySlugQuery, personPageQuery, quoteByIdQuery, quotesBySpeakerQuery, searchQuery} from '../../src/queries'
import {lakeRequest, removeTempDirs, spawnLake, stopAllLakes} from '../helpers/lake'

type Doc = Record<string, unknown> & {_id: string; _type: string}
type Params = Record<string, unknown>

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

const random = prng(1010)
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T
const chance = (p: number): boolean => random() < p
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

// ---- the data: bench documents with system fields, drafts, versions and odd ones ----

const bench = generateDataset(1800)
const stamp = (i: number): string => new Date(Date.UTC(2024, 0, 1) + (i % 97) * 3_600_000).toISOString() // ties on purpose

function withSystem(doc: Doc, i: number): LakeDocument {
  const {_id, _type, ...rest} = doc
  return {_id, _type, _rev: `rev${i}`, _createdAt: stamp(i), _updatedAt: stamp(i * 7), ...rest} as LakeDocument
}

const published: LakeDocument[] = clone(bench.groups.flat() as unknown as Doc[]).map(withSystem)
const articles = published.filter((d) => d._type === 'article')
const quotes = published.filter((d) => d._type === 'quote')
const people = published.filter((d) => d._type === 'person')

const variants: LakeDocument[] = []
articles.forEach((a, i) => {
  if (i % 9 === 0) variants.push({...clone(a), _id: `drafts.${a._id}`, headline: `مسودة ${a.headline as string}`, publishedAt: stamp(i * 3)})
  if (i % 13 === 0) variants.push({...clone(a), _id: `versions.rA.${a._id}`, slug: {_type: 'slug', current: `release-${i}`}})
  if (i % 17 === 0) variants.push({...clone(a), _id: `versions.rB.${a._id}`, _type: 'articleDraft'})
})
quotes.forEach((q, i) => {
  if (i % 31 === 0) variants.push({...clone(q), _id: `drafts.${q._id}`, kind: 'indirect', speaker: {_type: 'reference', _ref: (people[0] as LakeDocument)._id}})
})
// Drafts and versions that have no published document.
for (let i = 0; i < 6; i++) {
  variants.push(withSystem({_id: `drafts.new-article-${i}`, _type: 'article', headline: `Syria SYRIA news ${i}`, slug: {_type: 'slug', current: `new-${i}`}}, 5000 + i))
  variants.push(withSystem({_id: `versions.rA.new-article-${i}`, _type: 'article', headline: `İstanbul straße ${i}`, slug: {_type: 'slug', current: `new-${i}`}}, 6000 + i))
}
// Documents that test the edges of groq-js's rules.
const odd: LakeDocument[] = [
  {_id: 'odd-number-date', _type: 'article', headline: 'syria', publishedAt: 5, slug: {current: 7}},
  {_id: 'odd-bool-date', _type: 'article', headline: ['Syria', 'دمشق', 3], publishedAt: true, slug: 'not-an-object'},
  {_id: 'odd-null-date', _type: 'article', headline: 'ſyria stra.ße', publishedAt: null, slug: {current: null}},
  {_id: 'odd-object-date', _type: 'article', headline: '...dots... a.b', publishedAt: {at: 1}, slug: {current: 'shared-slug'}},
  {_id: 'odd-shared-slug', _type: 'person', name: 'Same Slug', slug: {current: 'shared-slug'}},
  {_id: 'odd-weak', _type: 'quote', text: 'weak ref', speaker: {_ref: (people[1] as LakeDocument)._id, _weak: true}, article: {_ref: 'missing-article'}},
  {_id: 'odd-original', _type: 'quote', text: 'has its own _originalId', _originalId: 'something-else'},
  {_id: 'custom.path-1', _type: 'article', headline: 'custom path', publishedAt: '2024-05-05T00:00:00.000Z', slug: {current: 'custom-1'}},
  {_id: 'drafts.drafts.odd', _type: 'article', headline: 'double prefix'},
  {_id: 'odd-nested-ref', _type: 'quote', deep: [{x: {y: [{_ref: (articles[3] as LakeDocument)._id}]}}], text: 'nested'},
  {_id: 'odd-root-ref', _type: 'quote', _ref: (articles[4] as LakeDocument)._id, text: 'root ref'},
].map((d, i) => withSystem(d as Doc, 9000 + i))

/** The documents as stored, mirrored here to build the plain views without the store. */
const mirror = new Map<string, LakeDocument>()
const store = new DocumentStore()

function commit(effects: Effect[]): void {
  for (const {id, doc} of effects) {
    if (doc) mirror.set(id, doc)
    else mirror.delete(id)
  }
  store.apply(effects)
}

/** Writes in many transactions: creates, replacements, deletes and re-creates. */
function load(): void {
  const all = [...published, ...variants, ...odd]
  for (let at = 0; at < all.length; at += 250) commit(all.slice(at, at + 250).map((doc) => ({id: doc._id, doc})))
}

function churn(round: number): void {
  const effects: Effect[] = []
  const ids = [...mirror.keys()]
  for (let i = 0; i < 60; i++) {
    const id = pick(ids)
    const doc = mirror.get(id) as LakeDocument
    const r = random()
    if (r < 0.3) effects.push({id, doc: null})
    else if (r < 0.6) {
      const {publishedAt, ...rest} = doc
      const changed = {...rest, _rev: `churn${round}-${i}`, _updatedAt: stamp(round * 100 + i), headline: `Syria ${pick(['دمشق', 'الحرب', 'straße'])} ${i}`}
      effects.push({id, doc: (chance(0.5) ? {...changed, publishedAt: chance(0.8) ? stamp(i) : publishedAt} : changed) as LakeDocument})
    }
    else effects.push({id, doc: {...doc, _type: pick(['article', 'quote', 'person']), slug: {current: `churned-${round}-${i}`}}})
  }
  // One id written twice in one transaction, as a transaction may.
  const twice = pick(ids)
  effects.push({id: twice, doc: null}, {id: twice, doc: withSystem({_id: twice, _type: 'quote', text: 'recreated'}, 7777)})
  commit(effects)
}

const byId = (a: LakeDocument, b: LakeDocument): number => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)

interface ViewCase {
  name: string
  access: 'token' | 'anonymous'
  perspective: Perspective
}

const VIEWS: ViewCase[] = [
  {name: 'raw', access: 'token', perspective: {kind: 'raw'}},
  {name: 'published', access: 'token', perspective: {kind: 'published'}},
  {name: 'drafts', access: 'token', perspective: {kind: 'stack', layers: ['drafts']}},
  {name: 'rA,drafts', access: 'token', perspective: {kind: 'stack', layers: ['rA', 'drafts']}},
  {name: 'rB', access: 'token', perspective: {kind: 'stack', layers: ['rB']}},
  {name: 'anonymous drafts', access: 'anonymous', perspective: {kind: 'stack', layers: ['drafts']}},
]

/** The view as the lake defined it before the indexes: filter and overlay the whole sorted list. */
function plainView(v: ViewCase): LakeDocument[] {
  const docs = [...mirror.values()].sort(byId)
  return applyPerspective(v.access === 'token' ? docs : docs.filter((d) => !d._id.includes('.')), v.perspective)
}

// ---- the queries ----

function someIds(): string[] {
  const ids = [...mirror.keys()]
  return [pick(ids), pick(ids), `drafts.${pick(articles)._id}`, pick(articles)._id, 'missing-id']
}

function atom(): {text: string; params: Params} {
  const a = pick(articles)
  const q = pick(quotes)
  const p = pick(people)
  const word = pick([...((a.headline as string).split(' ') as string[]), 'syria', 'SYRIA', 'STRASSE', 'straße', 'ſyria', 'a.b', 'دمشق'])
  const options: Array<() => {text: string; params: Params}> = [
    () => ({text: '_type == $type', params: {type: pick(['article', 'quote', 'person', 'articleDraft', 'nothing'])}}),
    () => ({text: '_type in $types', params: {types: [pick(['article', 'quote']), pick(['person', 'articleDraft', 1])]}}),
    () => ({text: '_id == $id', params: {id: pick(someIds())}}),
    () => ({text: '_id in $ids', params: {ids: someIds().slice(0, 3)}}),
    () => ({text: '_id == 1', params: {}}),
    () => ({text: 'slug.current == $slug', params: {slug: pick([a.slug && (a.slug as {current: string}).current, 'shared-slug', 'new-2', 'release-13', 7])}}),
    () => ({text: 'slug.current in [$slug, "shared-slug"]', params: {slug: (p.slug as {current: string}).current}}),
    () => ({text: 'speaker._ref == $ref', params: {ref: p._id}}),
    () => ({text: 'article._ref == $ref', params: {ref: pick([a._id, 'missing-article'])}}),
    () => ({text: 'references($ref)', params: {ref: pick([a._id, p._id, q._id])}}),
    () => ({text: 'references([$a, $b])', params: {a: p._id, b: a._id}}),
    () => ({text: 'headline match $q', params: {q: word}}),
    () => ({text: '[headline, lead, text] match $q', params: {q: pick([word, `${word.slice(0, 2)}*`, 'syria dمشق', ''])}}),
    () => ({text: 'text match $q', params: {q: `${word.slice(0, 3)}*`}}),
    () => ({text: 'defined(publishedAt)', params: {}}),
    () => ({text: '!defined(slug.current)', params: {}}),
    () => ({text: 'publishedAt > $date', params: {date: stamp(40)}}),
    () => ({text: 'kind == "direct"', params: {}}),
    () => ({text: '(kind == "indirect" || _type == "person")', params: {}}),
    () => ({text: 'language == "ar"', params: {}}),
    () => ({text: 'count(people) > 1', params: {}}),
  ]
  return pick(options)()
}

function filter(): {text: string; params: Params} {
  const parts = Array.from({length: 1 + Math.floor(random() * 3)}, atom)
  return {text: parts.map((p) => p.text).join(' && '), params: Object.assign({}, ...parts.map((p) => p.params))}
}

const ORDER_KEYS = ['publishedAt', '_createdAt', '_updatedAt', 'coalesce(publishedAt, _createdAt)', '_id', 'headline']
const PROJECTIONS = ['', '{_id, _type}', '{_id, headline, "speaker": speaker->name}', '{_id, "quotes": *[_type == "quote" && article._ref == ^._id]{_id}}', '{..., "a": article->{_id, slug}}']

function generated(): {query: string; params: Params} {
  const f = filter()
  const shape = random()
  const projection = pick(PROJECTIONS)
  // Plain groq-js runs a correlated subquery once per outer document over all of them: only after a slice.
  if (shape < 0.25) return {query: `*[${f.text}]${projection.includes('^') ? '[0...4]' : ''}${projection}`, params: f.params}
  if (shape < 0.5) {
    const key = pick(ORDER_KEYS)
    const dir = pick(['asc', 'desc'])
    const tail = chance(0.3) ? ', _id desc' : ''
    const a = Math.floor(random() * 4)
    const slice = pick([`[${a}...${a + 1 + Math.floor(random() * 15)}]`, `[${a}..${a + 3}]`, `[${a}]`, `[${a}..-1]`, `[-${a + 2}...-1]`, `[-1]`, ''])
    return {query: `*[${f.text}] | order(${key} ${dir}${tail})${slice || (projection.includes('^') ? '[0...4]' : '')}${projection}`, params: f.params}
  }
  if (shape < 0.65) return {query: `*[${f.text}][${pick(['0...10', '2...5', '0', '3', '1..-1', '-3...-1', '-1'])}]${projection}`, params: f.params}
  if (shape < 0.85) return {query: `count(*[${f.text}])`, params: f.params}
  return {query: `{"n": count(*[${f.text}]), "first": *[${f.text}][0]{_id}}`, params: f.params}
}

function projectQueries(): Array<{query: string; params: Params}> {
  const a = pick(articles)
  const p = pick(people)
  const q = pick(quotes)
  return [
    {query: articleBySlugQuery, params: {slug: (a.slug as {current: string}).current}},
    {query: latestArticlesQuery, params: {limit: 20}},
    {query: quotesBySpeakerQuery, params: {speakerId: p._id}},
    {query: personBySlugQuery, params: {slug: (p.slug as {current: string}).current}},
    {query: quoteByIdQuery, params: {id: q._id}},
    {query: searchQuery, params: {q: ((a.headline as string).split(' ')[1] ?? 'دمشق') + '*', limit: 10}},
    {query: articlesPageQuery, params: {start: 5, end: 25}},
    {query: personPageQuery, params: {slug: (p.slug as {current: string}).current, limit: 5}},
    {query: '*[_id == $id][0]', params: {id: pick(someIds())}},
    {query: 'count(*[_type == "quote"])', params: {}},
    {query: 'count(*)', params: {}},
    {query: '*[_type == "article" && headline match $q][0...20]{_id, headline}', params: {q: (a.headline as string).split(' ')[0] as string}},
  ]
}

const CTX = {identity: 'me', projectId: 'p', datasetName: 'production'}

/** Plain groq-js, as the lake ran it before the planner (no deadline, no hooks). */
async function plain(query: string, params: Params, docs: LakeDocument[]): Promise<{value?: string; error?: string}> {
  // A macrotask first: the deadline module only forgets a finished run at the next one.
  await new Promise((resolve) => setImmediate(resolve))
  try {
    const value = await (await evaluate(parse(query, {params}), {dataset: docs, params, identity: CTX.identity, sanity: {projectId: CTX.projectId, dataset: CTX.datasetName}})).get()
    return {value: JSON.stringify(value)}
  } catch (err) {
    return {error: (err as Error).message}
  }
}

async function planned(query: string, params: Params, v: ViewCase): Promise<{value?: string; error?: string; stats?: PlanStats}> {
  try {
    const run = await runQuery(parse(query, {params}), viewOf(store, v.access, v.perspective), {...CTX, params})
    return {value: JSON.stringify(run.result), stats: run.stats}
  } catch (err) {
    return {error: (err as Error).message}
  }
}

interface Tally {
  queries: number
  indexed: number
}

async function compareAll(cases: Array<{query: string; params: Params}>, v: ViewCase, tally: Tally): Promise<void> {
  const docs = plainView(v)
  for (const {query, params} of cases) {
    const expected = await plain(query, params, docs)
    const actual = await planned(query, params, v)
    const where = `${v.name}: ${query} ${JSON.stringify(params)}`
    expect(actual.error === undefined, `${where}: ${actual.error ?? ''}`).toBe(expected.error === undefined)
    expect(actual.value, where).toBe(expected.value)
    tally.queries++
    if ((actual.stats?.narrowed ?? 0) > 0) tally.indexed++
  }
}

describe('the planner answers exactly as plain groq-js', () => {
  it('over 1,000 generated and project queries, in every view, before and after more writes', async () => {
    load()
    churn(1)
    const tally: Tally = {queries: 0, indexed: 0}
    for (const v of VIEWS) {
      const cases = [...projectQueries(), ...Array.from({length: 130}, generated)]
      await compareAll(cases, v, tally)
    }
    // Writes after the lazily built indexes (sorted lists, word indexes) exist: they must follow.
    churn(2)
    churn(3)
    for (const v of VIEWS) await compareAll([...projectQueries(), ...Array.from({length: 25}, generated)], v, tally)
    expect(tally.queries).toBeGreaterThanOrEqual(1_000)
    // The comparison means something only if the indexed paths were taken, and often.
    expect(tally.indexed / tally.queries).toBeGreaterThan(0.5)
  }, 120_000)

  it('a query keeps reading the documents as they were when a write lands while it runs', async () => {
    if (mirror.size === 0) load()
    const v = VIEWS[2] as ViewCase
    // An unplanned scan first (long enough to be cut into slices), then a lookup per article.
    const query =
      '*[[headline, lead] match "zzz*" || defined(headline)][0...60]{_id, "n": count(*[_type == "quote" && article._ref == ^._id]), "first": *[_type == "quote" && article._ref == ^._id] | order(_id asc)[0]._id}'
    const before = plainView(v)
    const expected = await plain(query, {}, before)
    const firstArticles = new Set(before.filter((d) => d.headline !== undefined).slice(0, 60).map((d) => d._id))
    const targets = [...mirror.values()].filter((d) => d._type === 'quote' && firstArticles.has((d.article as {_ref?: string} | undefined)?._ref ?? '')).slice(0, 10)
    expect(targets.length).toBeGreaterThan(0)
    const running = planned(query, {}, v)
    // The query runs in slices (the deadline); these writes land between them.
    let writes = 0
    let done = false
    void running.then(() => (done = true))
    while (!done && writes < targets.length) {
      await new Promise((resolve) => setImmediate(resolve))
      if (done) break
      commit([{id: (targets[writes++] as LakeDocument)._id, doc: null}])
    }
    const actual = await running
    expect(writes).toBeGreaterThan(0)
    expect(actual.value).toBe(expected.value)
    // And the next query sees the writes.
    expect((await planned(query, {}, v)).value).toBe((await plain(query, {}, plainView(v))).value)
  }, 60_000)
})

describe('through the lake over HTTP', () => {
  it('answers the project queries and generated ones as plain groq-js, anonymous and with a token', async () => {
    if (mirror.size === 0) load()
    const lake = await spawnLake()
    const docs = [...mirror.values()].filter((d) => !d._id.startsWith('drafts.drafts'))
    // Strong references to deleted documents would be refused: make them weak for the import.
    const weakened = docs.map((d) => JSON.parse(JSON.stringify(d), (key, value) => (value && typeof value === 'object' && typeof value._ref === 'string' ? {...value, _weak: true} : value)) as LakeDocument)
    for (let at = 0; at < weakened.length; at += 500) {
      const res = await lakeRequest(lake, 'POST', '/v2025-02-19/data/mutate/production', {body: {mutations: weakened.slice(at, at + 500).map((doc) => ({createOrReplace: doc}))}})
      expect(res.status).toBe(200)
    }
    const exported = await lakeRequest(lake, 'GET', '/v2025-02-19/data/export/production')
    const stored = exported.text.trim().split('\n').map((line) => JSON.parse(line) as LakeDocument)
    const cases = [...projectQueries(), ...Array.from({length: 40}, generated)]
    for (const [access, perspective] of [['token', 'drafts'], ['anonymous', 'published'], ['token', 'raw']] as const) {
      const view = applyPerspective(access === 'token' ? stored : stored.filter((d) => !d._id.includes('.')), perspective === 'drafts' ? {kind: 'stack', layers: ['drafts']} : {kind: perspective})
      for (const {query, params} of cases) {
        const expected = await plain(query, params, view)
        const res = await lakeRequest(lake, 'POST', '/v2025-02-19/data/query/production', {
          token: access === 'token' ? undefined : null,
          body: {query, params, perspective},
        })
        const where = `${access} ${perspective}: ${query}`
        if (expected.error !== undefined) expect(res.status, where).toBe(400)
        else expect(JSON.stringify((res.json as {result: unknown}).result), where).toBe(expected.value === undefined ? 'null' : expected.value)
      }
    }
    await lake.stop()
  }, 120_000)
})
