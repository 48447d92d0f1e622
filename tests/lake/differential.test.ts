// The planner and the indexes against plain groq-js: generated queries over a generated newsroom
// (with drafts, release versions and odd documents), through every perspective, anonymous and
// with a token, must return exactly what groq-js returns over the same view built the plain way.
import {evaluate, parse} from 'groq-js'
import {afterAll, describe, expect, it} from 'vitest'
import {generateDataset, prng} from '../../bench/generate'
import {applyPerspective, type Perspective} from '../../src/lake/perspective'
import {FAST_MAX_DOCS} from '../../src/lake/fastPath'
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
people.forEach((p, i) => {
  if (i % 4 === 0) variants.push({...clone(p), _id: `drafts.${p._id}`, name: `مسودة ${p.name as string}`})
  if (i % 5 === 0) variants.push({...clone(p), _id: `versions.rA.${p._id}`, jobTitle: null})
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
  // For projections: nulls, numbers and strings where references and blocks are, refs to drafts, weak refs.
  {
    _id: 'odd-mixed-people',
    _type: 'article',
    headline: 'mixed people',
    slug: {current: 'odd-mixed'},
    people: [null, {_ref: (people[0] as LakeDocument)._id}, 3, {_ref: 'missing-person'}, {_ref: `drafts.${(people[4] as LakeDocument)._id}`, _weak: true}, 'str', [{_ref: (people[1] as LakeDocument)._id}], {_key: 'k', _ref: (people[2] as LakeDocument)._id, _weak: true}],
    mixed: [null, {_ref: 'odd-weak'}, {notRef: 1}, {_ref: 5}, {_ref: (articles[2] as LakeDocument)._id}],
    body: [null, 'text', {_type: 'block', markDefs: null}, {_type: 'block', _key: 'b1', markDefs: [null, 'x', {_type: 'quote', quote: {_ref: `drafts.${(quotes[0] as LakeDocument)._id}`}}, {_type: 'mention', target: 'nope'}, {_type: 'quote'}, {_type: 'mention', target: {_ref: (people[3] as LakeDocument)._id}}]}],
  },
  {_id: 'odd-speaker-draft', _type: 'quote', text: 'by a draft', kind: 'direct', speaker: {_ref: `drafts.${(people[0] as LakeDocument)._id}`}, article: {_ref: (articles[5] as LakeDocument)._id}},
  {_id: 'odd-speaker-string', _type: 'quote', text: 'string speaker', speaker: 'person-x', article: [{_ref: (articles[6] as LakeDocument)._id}]},
  {_id: 'odd-speaker-number', _type: 'quote', text: 7, speaker: {_ref: 5}, article: null, kind: null},
  {_id: 'odd-people-object', _type: 'article', headline: 7, people: {_ref: (people[0] as LakeDocument)._id}, body: {_type: 'block'}, publishedAt: '2024-02-02T00:00:00Z', slug: {current: 'odd-people-object'}},
  {_id: 'odd-self-ref', _type: 'person', name: ['a', 'b'], slug: {current: 'odd-self'}, affiliation: {_ref: 'odd-self-ref', _weak: true}},
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

/**
 * Parts of a projection, each a construct the fast path (groq-js's synchronous evaluator) runs:
 * attributes (present, missing, on non-objects), `...` before and after keys, `->` with and without
 * a projection, `[]` traversal with `->` and projections, conditionals, coalesce, count, select,
 * comparisons, order inside, correlated subqueries. [key, text]: the key keeps names distinct.
 */
const PARTS: Array<[string, string]> = [
  ['_id', '_id'], ['_type', '_type'], ['headline', 'headline'], ['missing', 'missing'], ['slug', 'slug'], ['publishedAt', 'publishedAt'],
  ['s', '"s": slug.current'], ['deep', '"deep": slug.current.more'], ['onNum', '"onNum": publishedAt.at'], ['el', '"el": people[0]'], ['el2', '"el2": people[-1]._ref'],
  ['...', '...'], ['...', '...'], ['over', '"_id": "before-splat"'],
  ['sp', '"sp": speaker->'], ['sp2', '"sp2": speaker->{_id, name, "slug": slug.current, "aff": affiliation->name}'], ['spn', '"spn": speaker->name'],
  ['art', '"art": article->{_id, headline, "sp": ^.speaker->name}'], ['aff', '"aff": affiliation->{...}'],
  ['people', '"people": people[]->{_id, name, "job": jobTitle}'], ['pn', '"pn": people[]->name'], ['praw', '"praw": people[]'], ['p01', '"p01": people[0...2]->_id'],
  ['mixed', '"mixed": mixed[]->{_id}'], ['mixed2', '"mixed2": mixed[]->'],
  ['body', '"body": body[]{..., markDefs[]{..., _type == "quote" => {"quote": quote->{_id, text, "speaker": speaker->{_id, name}}}, _type == "mention" => {"target": target->{_id, name}}}}'],
  ['keys', '"keys": body[]._key'], ['texts', '"texts": body[].children[].text'],
  ['cond', '_type == "article" => {headline, "n": count(people)}'], ['cond', '_type == "quote" => {text, "a": article->headline}'], ['cond', '_type == "person" => {...}'],
  ['c', '"c": coalesce(publishedAt, _createdAt)'], ['c2', '"c2": coalesce(missing, slug.current, 1)'],
  ['n', '"n": count(people)'], ['nb', '"nb": count(body[].markDefs[])'],
  ['quotes', '"quotes": *[_type == "quote" && article._ref == ^._id] | order(_id asc){_id, kind, "sp": speaker->name}'],
  ['byMe', '"byMe": *[_type == "quote" && speaker._ref == ^._id] | order(_id desc)[0...3]._id'],
  ['nq', '"nq": count(*[_type == "quote" && article._ref == ^._id])'],
  ['sel', '"sel": select(_type == "article" => headline, _type == "quote" => text, "other")'],
  ['cmp', '"cmp": publishedAt > "2024"'], ['eq', '"eq": kind == "direct"'], ['in', '"in": kind in ["direct", null]'],
  ['ordered', '"ordered": people[]->{name, _id} | order(name desc, _id asc)'], ['arr', '"arr": [headline, _id, null, missing]'],
  ['after', '"_type": "after-splat"'],
]

/** A projection of 1–5 distinct parts (and, where it reads `*`, only a few outer documents: plain groq-js scans per document). */
function someProjection(): string {
  const chosen = new Map<string, string>()
  const n = 1 + Math.floor(random() * 5)
  while (chosen.size < n) {
    const [key, text] = pick(PARTS)
    if (!chosen.has(key) || key === 'cond') chosen.set(key === 'cond' ? `${key}${chosen.size}` : key, text)
  }
  return `{${[...chosen.values()].join(', ')}}`
}

function generated(): {query: string; params: Params} {
  const f = filter()
  const shape = random()
  const projection = chance(0.5) ? pick(PROJECTIONS) : someProjection()
  // Plain groq-js runs a subquery once per outer document over all of them: only after a bounded slice.
  const heavy = projection.includes('*')
  const bounded = (slice: string): string => (heavy && (slice === '' || slice.includes('-')) ? '[0...4]' : slice)
  if (shape < 0.25) return {query: `*[${f.text}]${bounded('')}${projection}`, params: f.params}
  if (shape < 0.5) {
    const key = pick(ORDER_KEYS)
    const dir = pick(['asc', 'desc'])
    const tail = chance(0.3) ? ', _id desc' : ''
    const a = Math.floor(random() * 4)
    const slice = pick([`[${a}...${a + 1 + Math.floor(random() * 15)}]`, `[${a}..${a + 3}]`, `[${a}]`, `[${a}..-1]`, `[-${a + 2}...-1]`, `[-1]`, ''])
    return {query: `*[${f.text}] | order(${key} ${dir}${tail})${bounded(slice)}${projection}`, params: f.params}
  }
  if (shape < 0.65) return {query: `*[${f.text}]${bounded(`[${pick(['0...10', '2...5', '0', '3', '1..-1', '-3...-1', '-1'])}]`)}${projection}`, params: f.params}
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

/** Generated projections over small candidate lists: what the fast path is for. */
function projected(): {query: string; params: Params} {
  const proj = someProjection()
  const few = proj.includes('*') ? '[0...4]' : ''
  const a = pick(articles)
  const p = pick(people)
  const options: Array<() => {query: string; params: Params}> = [
    () => ({query: `*[_id in $ids]${proj}`, params: {ids: [...someIds(), 'odd-mixed-people', 'odd-speaker-draft', 'odd-speaker-string', 'odd-speaker-number', 'odd-people-object', 'odd-self-ref', 'odd-weak']}}),
    () => ({query: `*[_id in $ids] | order(publishedAt desc, _id asc)${proj}`, params: {ids: ['odd-mixed-people', 'odd-people-object', 'odd-number-date', 'odd-bool-date', 'odd-null-date', 'odd-object-date', a._id, `drafts.${a._id}`]}}),
    () => ({query: `*[slug.current == $slug][0]${proj}`, params: {slug: pick([(a.slug as {current: string}).current, 'odd-mixed', 'odd-people-object', 'odd-self', 'shared-slug'])}}),
    () => ({query: `*[_type == "quote" && speaker._ref == $id] | order(_id asc)${few}${proj}`, params: {id: pick([p._id, `drafts.${(people[0] as LakeDocument)._id}`, (people[0] as LakeDocument)._id])}}),
    () => ({query: `*[_type == "quote" && article._ref == $id]${proj}`, params: {id: a._id}}),
    () => ({query: `*[_type == "article" && defined(slug.current)] | order(coalesce(publishedAt, _createdAt) desc)[0...${few ? 3 : 12}]${proj}`, params: {}}),
    () => ({query: `*[references($id)][0...${few ? 3 : 10}]${proj}`, params: {id: pick([p._id, a._id, 'odd-weak'])}}),
  ]
  return pick(options)()
}

const CTX = {identity: 'me', projectId: 'p', datasetName: 'production'}

/**
 * Plain groq-js, as the lake ran it before the planner (no deadline, no hooks). `byId`: `->` looks
 * the target up in the same documents instead of scanning them (the same answer, for queries with
 * thousands of `->`).
 */
async function plain(query: string, params: Params, docs: LakeDocument[], byId?: Map<string, LakeDocument>): Promise<{value?: string; error?: string}> {
  // A macrotask first: the deadline module only forgets a finished run at the next one.
  await new Promise((resolve) => setImmediate(resolve))
  try {
    const dereference = byId && (({_ref}: {_ref: string}) => byId.get(_ref) ?? null)
    const value = await (await evaluate(parse(query, {params}), {dataset: docs, params, identity: CTX.identity, sanity: {projectId: CTX.projectId, dataset: CTX.datasetName}, dereference})).get()
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
  /** Answered by the synchronous fast path (fastPath.ts). */
  fast: number
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
    if (actual.stats?.fast.taken) tally.fast++
  }
}

describe('the planner answers exactly as plain groq-js', () => {
  it('over 1,000 generated and project queries, in every view, before and after more writes', async () => {
    load()
    churn(1)
    const tally: Tally = {queries: 0, indexed: 0, fast: 0}
    for (const v of VIEWS) {
      const cases = [...projectQueries(), ...Array.from({length: 130}, generated), ...Array.from({length: 30}, projected)]
      await compareAll(cases, v, tally)
    }
    // Writes after the lazily built indexes (sorted lists, word indexes) exist: they must follow.
    churn(2)
    churn(3)
    for (const v of VIEWS) await compareAll([...projectQueries(), ...Array.from({length: 25}, generated), ...Array.from({length: 10}, projected)], v, tally)
    expect(tally.queries).toBeGreaterThanOrEqual(1_000)
    // The comparison means something only if the indexed paths and the fast path were taken, and often.
    expect(tally.indexed / tally.queries).toBeGreaterThan(0.5)
    expect(tally.fast / tally.queries).toBeGreaterThan(0.5)
  }, 120_000)

  it('a query keeps reading the documents as they were when a write lands while it runs', async () => {
    if (mirror.size === 0) load()
    const v = VIEWS[2] as ViewCase
    // An unplanned scan first (long enough to be cut into slices; `length()` keeps the planner and
    // so the synchronous fast path out), then a lookup per article.
    const query =
      '*[[headline, lead] match "zzz*" || defined(headline) || length(_id) < 0][0...60]{_id, "n": count(*[_type == "quote" && article._ref == ^._id]), "first": *[_type == "quote" && article._ref == ^._id] | order(_id asc)[0]._id}'
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
    expect(actual.stats?.fast).toEqual({taken: false, why: 'refused:scan'})
    expect(writes).toBeGreaterThan(0)
    expect(actual.value).toBe(expected.value)
    // And the next query sees the writes.
    expect((await planned(query, {}, v)).value).toBe((await plain(query, {}, plainView(v))).value)
  }, 60_000)
})

describe('the synchronous fast path', () => {
  it('gives way to the sliced path past its bounds, with the same answers', async () => {
    if (mirror.size === 0) load()
    for (const v of VIEWS.slice(0, 3)) {
      const docs = plainView(v)
      const byId = new Map(docs.map((d) => [d._id, d]))
      // Every quote and four `->` each: more documents than the fast path reads.
      const big = '*[_type == "quote"]{_id, "a": article->_id, "s": speaker->name, "a2": article->slug, "s2": speaker->_id}'
      const quoteCount = docs.filter((d) => d._type === 'quote').length
      expect(quoteCount * 5).toBeGreaterThan(FAST_MAX_DOCS)
      let actual = await planned(big, {}, v)
      // Its time runs out first on a busy machine.
      expect(['gave way:docs', 'gave way:time'], v.name).toContain(actual.stats?.fast.why)
      expect(actual.value, v.name).toBe((await plain(big, {}, docs, byId)).value)
      // A correlated key that is not a string: the planner's lookup falls back to `*`, which the fast path does not scan.
      const fallback = '*[_id in ["odd-speaker-number", "odd-weak"]]{_id, "q": *[_type == "quote" && article._ref == ^.text]{_id}}'
      actual = await planned(fallback, {}, v)
      expect(actual.stats?.fast, v.name).toEqual({taken: false, why: 'gave way:declined'})
      expect(actual.value, v.name).toBe((await plain(fallback, {}, docs)).value)
      // No `*` at all, and `*` answered by a count: taken.
      for (const query of ['1', '{"a": [1, null, {"b": $x}][2].b}', 'count(*[_type == "quote"])']) {
        actual = await planned(query, {x: 'y'}, v)
        expect(actual.stats?.fast, query).toEqual({taken: true})
        expect(actual.value, query).toBe((await plain(query, {x: 'y'}, docs)).value)
      }
      // Work that multiplies with the data (a loop over an outer value per element), and large queries, are refused.
      const refusals: Array<[string, Params, string]> = [
        ['*[_id in $ids]{_id, "body": body[]{_key, "all": ^.^.body[]._key}}', {ids: [pick(articles)._id, 'odd-mixed-people']}, 'refused:outer value in a loop'],
        ['*[_id in $ids]{_id}', {ids: Array.from({length: 300}, (_, i) => `id-${i}`).concat(pick(articles)._id)}, 'refused:large constant in a loop'],
        ['{"ids": $ids, "n": count($ids)}', {ids: Array.from({length: 3000}, (_, i) => `id-${i}`)}, 'refused:large query'],
      ]
      for (const [query, params, why] of refusals) {
        actual = await planned(query, params, v)
        expect(actual.stats?.fast.why, query).toBe(why)
        expect(actual.value, query).toBe((await plain(query, params, docs)).value)
      }
      // Functions only groq-js's async evaluator has are refused before starting.
      actual = await planned('*[_id == $id]{"changed": diff::changedAny(@, @, (title))}', {id: 'odd-weak'}, v)
      expect(actual.stats?.fast.why).toBe('refused:diff::changedAny')
      expect(actual.value).toBe((await plain('*[_id == $id]{"changed": diff::changedAny(@, @, (title))}', {id: 'odd-weak'}, docs)).value)
    }
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
