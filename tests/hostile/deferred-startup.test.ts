// Deferred documents at start-up (issue 10: 100k documents start in ≤ 2 s): the lake parses only the
// head of each snapshot and log document, and the rest on first read or in the background. These
// tests make sure that loses nothing, against real lake processes and the real @sanity/client:
// exports stay byte-identical across log replay, compaction and snapshot starts; queries, patches,
// delete checks and the History API right after a restart see whole documents; the old formats
// still load; damaged split lines are refused (head) or reported (rest).
//
// Expected values are what the lake exported or answered before the restart, or literals; never
// what the code under test computes. 20,000 filler documents (24 MB, in one log line, then in the
// snapshot) make lines cross the readers' 1 MB chunks. Note: at this size the background filler has
// parsed every document within a few milliseconds of the lake saying it is ready, so these requests
// mostly read documents it already filled; the read-on-demand paths (get, referrers, index lists,
// replacing a deferred document) are checked exactly, in process, in tests/lake/deferred.test.ts.
import fs from 'node:fs'
import path from 'node:path'
import {crc32} from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {compactionDone, lakeClient, lakeRequest, makeTempDir, refusedStart, removeTempDirs, runScript, spawnLake, stopAllLakes, type Json, type SpawnedLake} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

const V = '/v2025-02-19'
const LOG = 'transactions.ndjson'
const SNAPSHOT = 'snapshot.ndjson'
const HUGE = String(2 ** 40) // LAKE_COMPACT_BYTES: never compact
const FILLERS = 20_000

const framedLine = (json: string): string => `${crc32(Buffer.from(json)).toString(16).padStart(8, '0')} ${json}\n`

async function exportText(lake: SpawnedLake): Promise<string> {
  const res = await lakeRequest(lake, 'GET', `${V}/data/export/production`)
  expect(res.status).toBe(200)
  return res.text
}

/** Export lines by `_id` (each line is one document's JSON, as the lake wrote it). */
function linesById(text: string): Map<string, string> {
  const out = new Map<string, string>()
  for (const line of text.split('\n')) if (line) out.set((JSON.parse(line) as {_id: string})._id, line)
  return out
}

async function query(lake: SpawnedLake, groq: string, params: Record<string, unknown> = {}): Promise<unknown> {
  const qs = new URLSearchParams({query: groq})
  for (const [k, v] of Object.entries(params)) qs.set(`$${k}`, JSON.stringify(v))
  const res = await lakeRequest(lake, 'GET', `${V}/data/query/production?${qs}`)
  expect(res.status, res.text).toBe(200)
  return (res.json as {result: unknown}).result
}

/** The document as the History API gives it at `rev`, as JSON text. */
async function atRevision(lake: SpawnedLake, id: string, rev: string): Promise<string> {
  const res = await lakeRequest(lake, 'GET', `${V}/data/history/production/documents/${id}?revision=${rev}`)
  expect(res.status, res.text).toBe(200)
  const docs = (res.json as {documents: Json[]}).documents
  expect(docs, `${id} at ${rev}`).toHaveLength(1)
  return JSON.stringify(docs[0])
}

async function docText(lake: SpawnedLake, id: string): Promise<string> {
  const res = await lakeRequest(lake, 'GET', `${V}/data/doc/production/${id}`)
  expect(res.status).toBe(200)
  return JSON.stringify((res.json as {documents: Json[]}).documents[0])
}

function copyOf(dir: string): string {
  const copy = makeTempDir('deferred-copy-')
  fs.cpSync(dir, copy, {recursive: true})
  fs.rmSync(path.join(copy, 'lock'), {force: true})
  return copy
}

function filesOf(dir: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {}
  for (const name of [LOG, SNAPSHOT, 'history.ndjson']) {
    const file = path.join(dir, name)
    if (fs.existsSync(file)) out[name] = fs.readFileSync(file)
  }
  return out
}

/** Unusual key orders and values, written by `lake import` (which keeps them) as raw NDJSON. */
const UNUSUAL = [
  '{"_type":"t","_id":"u-type-first","title":"_type first"}',
  '{"_id":"u-sys-after","_type":"t","title":"system keys after a field","_rev":"u-rev-1","_createdAt":"2020-01-01T00:00:00Z","_updatedAt":"2020-01-02T00:00:00Z"}',
  '{"_id":"u-proto","_type":"t","__proto__":{"polluted":true},"x":1,"deep":{"__proto__":{"also":1}}}',
  '{"_id":"u-only-sys","_type":"t","_rev":"u-rev-2","_createdAt":"2020-01-01T00:00:00Z","_updatedAt":"2020-01-02T00:00:00Z"}',
  '{"_id":"u-nonstring-sys","_type":"t","_rev":5,"_createdAt":7,"_updatedAt":null,"y":1}',
  '{"_id":"u-numbers","_type":"t","_rev":"u-rev-3","_createdAt":"2020-01-01T00:00:00Z","_updatedAt":"2020-01-02T00:00:00Z","z":-0,"big":12345678901234567890,"e":1e21,"tiny":5e-324,"max":1.7976931348623157e308,"neg":-1.5e-7}',
  '{"_id":"u-keys","_type":"t","_rev":"u-rev-4","_createdAt":"2020-01-01T00:00:00Z","_updatedAt":"2020-01-02T00:00:00Z","عنوان":"مفتاح عربي","":"empty key","7":"integer key","a\\"b":"quote"}',
]

/** The documents the query tests read, written through the API after the fillers. */
const P1 = {_id: 'zz-person-1', _type: 'person', name: 'أحمد الخطيب', nameLatin: 'Ahmad al-Khatib'}
const P2 = {_id: 'zz-person-2', _type: 'person', name: 'ليلى حداد', nameLatin: 'Layla Haddad'}
const A1 = {
  _id: 'zz-article-1',
  _type: 'article',
  headline: 'الانتخابات البلدية في بغداد',
  slug: {_type: 'slug', current: 'baghdad-elections'},
  publishedAt: '2024-03-01T10:00:00Z',
  author: {_type: 'reference', _ref: 'zz-person-1'},
  tags: ['سياسة', 'بغداد'],
  body: [
    {_type: 'block', _key: 'b1', style: 'normal', markDefs: [], children: [{_type: 'span', _key: 's1', text: 'نصّ «طويل»\tمع تبويب\nوسطر', marks: []}]},
    {_type: 'block', _key: 'b2', children: [{_type: 'span', _key: 's2', text: '٣٬٥ مليون ناخب'}], extra: {nested: [[1, [2, [3]]], {deep: {deeper: null}}]}},
  ],
  stats: {turnout: 0.41, seats: 250, delta: -3.5},
}
const A2 = {
  _id: 'zz-article-2',
  _type: 'article',
  headline: 'موازنة العام المقبل',
  slug: {_type: 'slug', current: 'budget'},
  publishedAt: '2024-05-20T08:00:00Z',
  author: {_type: 'reference', _ref: 'zz-person-2'},
  related: [{_type: 'reference', _ref: 'zz-article-1', _weak: true, _key: 'r1'}],
}
const A3 = {
  _id: 'zz-article-3',
  _type: 'article',
  headline: 'تقرير لم يُقرأ بعد',
  slug: {_type: 'slug', current: 'unread'},
  publishedAt: '2024-01-15T12:00:00Z',
  author: {_type: 'reference', _ref: 'zz-person-2'},
  lead: 'مقدمة التقرير',
  body: [{_type: 'block', _key: 'x', children: [{_type: 'span', _key: 'y', text: 'كل الحقول يجب أن تبقى'}]}],
  figures: [1, 2.5, -0.25, 1e-9],
}
const Q1 = {_id: 'zz-quote-1', _type: 'quote', text: 'سنحترم النتائج', speaker: {_type: 'reference', _ref: 'zz-person-1'}, article: {_type: 'reference', _ref: 'zz-article-1'}}
const Q2 = {_id: 'zz-quote-2', _type: 'quote', text: 'الأرقام لا تكذب', speaker: {_type: 'reference', _ref: 'zz-person-2'}, article: {_type: 'reference', _ref: 'zz-article-1'}}
// Delete integrity: a target strongly referenced by a published document, and one referenced only
// weakly or from a draft.
const T_STRONG = {_id: 'zz-target-strong', _type: 'person', name: 'مرجع قوي'}
const R_STRONG = {_id: 'zz-ref-strong', _type: 'note', about: {_type: 'reference', _ref: 'zz-target-strong'}}
const T_SOFT = {_id: 'zz-target-soft', _type: 'person', name: 'مرجع ضعيف'}
const R_WEAK = {_id: 'zz-ref-weak', _type: 'note', about: {_type: 'reference', _ref: 'zz-target-soft', _weak: true}}
const R_DRAFT = {_id: 'drafts.zz-ref-draft', _type: 'note', about: {_type: 'reference', _ref: 'zz-target-soft'}}

/** The base lake: fillers and unusual documents imported, the rest written through the API; log only. */
let base: string
/** Its export before any restart: what every later export is compared with. */
let before: string
let beforeById: Map<string, string>
/** [id, revision, the document as the doc endpoint gave it right after that revision was written]. */
const revisions: Array<[string, string, string]> = []
/** Copies taken with the lake stopped: log only, and snapshot only (after a compacting start). */
let logOnly: string
let snapshotOnly: string

beforeAll(async () => {
  base = makeTempDir('deferred-base-')
  const fillerFile = path.join(base, '..', `${path.basename(base)}-fillers.ndjson`)
  const unusualFile = path.join(base, '..', `${path.basename(base)}-unusual.ndjson`)
  const pad = 'نص تجريبي طويل لملء المستند حتى يأخذ تحليله وقتاً. '.repeat(8)
  const fillers: string[] = []
  for (let i = 0; i < FILLERS; i++) {
    fillers.push(JSON.stringify({_id: `a-fill-${String(i).padStart(6, '0')}`, _type: 'filler', n: i, text: `${pad}${i}`, tags: ['أ', 'ب', String(i % 7)]}))
  }
  fs.writeFileSync(fillerFile, `${fillers.join('\n')}\n`)
  fs.writeFileSync(unusualFile, `${UNUSUAL.join('\n')}\n`)
  try {
    // On the stopped directory: Dataset.importDocuments keeps the given key order. The small file
    // first: `lake import` compacts a log over 8 MB when it opens the lake, and this one stays log only.
    for (const file of [unusualFile, fillerFile]) {
      const run = await runScript('src/lake/cli.ts', ['import', file], {LAKE_DIR: base})
      expect(run.code, run.stderr).toBe(0)
    }
  } finally {
    fs.rmSync(fillerFile, {force: true})
    fs.rmSync(unusualFile, {force: true})
  }
  const lake = await spawnLake({dir: base, env: {LAKE_COMPACT_BYTES: HUGE}})
  const client = lakeClient(lake)
  const tx = client.transaction()
  for (const doc of [P1, P2, T_STRONG, T_SOFT, R_STRONG, R_WEAK, R_DRAFT] as Json[]) tx.create(doc as {_id: string; _type: string})
  await tx.commit()
  const remember = async (id: string) => {
    const text = await docText(lake, id)
    revisions.push([id, (JSON.parse(text) as {_rev: string})._rev, text])
  }
  for (const doc of [A1, A2, A3, Q1, Q2] as Array<{_id: string; _type: string}>) {
    await client.create(doc)
    await remember(doc._id)
  }
  // Two more revisions of the first article, in later log lines.
  await client.patch(A1._id).set({headline: 'الانتخابات البلدية في بغداد: النتائج'}).commit()
  await remember(A1._id)
  await client.patch(A1._id).set({'stats.turnout': 0.43}).unset(['tags[0]']).commit()
  await remember(A1._id)
  before = await exportText(lake)
  beforeById = linesById(before)
  // The imported documents' revisions: the import transaction wrote them as the export shows them.
  for (const id of ['u-type-first', 'u-proto', 'u-only-sys', 'u-numbers', 'a-fill-000000']) {
    const line = beforeById.get(id)!
    revisions.push([id, (JSON.parse(line) as {_rev: string})._rev, line])
  }
  await lake.stop()
  logOnly = copyOf(base)
}, 60_000)

describe('what the lake wrote comes back byte for byte (item 1) and so does its history (item 6)', () => {
  async function expectSame(lake: SpawnedLake, expected = before): Promise<void> {
    expect(await exportText(lake)).toBe(expected)
    for (const [id, rev, text] of revisions) expect(await atRevision(lake, id, rev)).toBe(text)
  }

  it('keeps what import wrote: unusual key orders, __proto__, -0 as 0, numbers as JSON writes them', () => {
    // Checked against literals, so that "the same after a restart" is not the same loss twice.
    expect(beforeById.get('u-type-first')).toMatch(/^\{"_type":"t","_id":"u-type-first","title":"_type first","_rev":/)
    expect(beforeById.get('u-sys-after')).toBe(UNUSUAL[1])
    expect(beforeById.get('u-proto')).toMatch(/^\{"_id":"u-proto","_type":"t","__proto__":\{"polluted":true\},"x":1,"deep":\{"__proto__":\{"also":1\}\},"_rev":/)
    expect(beforeById.get('u-only-sys')).toBe(UNUSUAL[3])
    // Non-string system fields are replaced in place by import (they are never kept).
    expect(beforeById.get('u-nonstring-sys')).toMatch(/^\{"_id":"u-nonstring-sys","_type":"t","_rev":"[^"]+","_createdAt":"[^"]+","_updatedAt":"[^"]+","y":1\}$/)
    expect(beforeById.get('u-numbers')).toBe(
      '{"_id":"u-numbers","_type":"t","_rev":"u-rev-3","_createdAt":"2020-01-01T00:00:00Z","_updatedAt":"2020-01-02T00:00:00Z","z":0,"big":12345678901234567000,"e":1e+21,"tiny":5e-324,"max":1.7976931348623157e+308,"neg":-1.5e-7}',
    )
    expect(beforeById.get('u-keys')).toBe(
      '{"7":"integer key","_id":"u-keys","_type":"t","_rev":"u-rev-4","_createdAt":"2020-01-01T00:00:00Z","_updatedAt":"2020-01-02T00:00:00Z","عنوان":"مفتاح عربي","":"empty key","a\\"b":"quote"}',
    )
    expect(beforeById.size).toBe(FILLERS + UNUSUAL.length + 12)
  })

  it('after a restart from the log, a compacting start, a start from the snapshot, and compacting a snapshot with a log', async () => {
    const log = fs.readFileSync(path.join(base, LOG), 'utf8')
    // Format-2 lines: split documents and, for the unusual ones, whole ones.
    expect(log).toContain('"format":2')
    expect(log).toMatch(/\t\[\{"_id":"zz-article-3","_type":"article","_rev":"[^"]+","_createdAt":"[^"]+","_updatedAt":"[^"]+"\},"unread",\["zz-person-2"\],\[\]\]\t\{"headline":/)
    expect(log).toContain('\t{"_type":"t","_id":"u-type-first"')

    let lake = await spawnLake({dir: base, env: {LAKE_COMPACT_BYTES: HUGE}})
    await expectSame(lake)
    await lake.stop()
    expect(fs.existsSync(path.join(base, SNAPSHOT)) && fs.statSync(path.join(base, SNAPSHOT)).size > 0).toBe(false)

    // Compacts on start: the documents from the log go to the snapshot as split lines, unparsed.
    lake = await spawnLake({dir: base, env: {LAKE_COMPACT_BYTES: '0'}})
    await compactionDone(lake)
    expect(fs.statSync(path.join(base, LOG)).size).toBe(0)
    await expectSame(lake)
    await lake.stop()
    const snapshot = fs.readFileSync(path.join(base, SNAPSHOT), 'utf8')
    expect(snapshot).toMatch(/^[0-9a-f]{8} \{"format":"sanity-newsroom-lake-snapshot\/3",/)
    expect(snapshot).toMatch(/\n[0-9a-f]{8} \[\{"_id":"zz-article-3","_type":"article",[^\t\n]*\t\{"headline":"تقرير لم يُقرأ بعد",/)
    expect(snapshot).toContain(`\n${framedLine(beforeById.get('u-proto')!)}`)
    expect(snapshot).toContain(`\n${framedLine(beforeById.get('u-keys')!)}`)
    snapshotOnly = copyOf(base)

    lake = await spawnLake({dir: base, env: {LAKE_COMPACT_BYTES: HUGE}})
    await expectSame(lake)
    // One more transaction in the log, then a compacting start that copies the snapshot's bytes.
    const added = await lakeClient(lake).create({_id: 'zz-zlast', _type: 'note', text: 'بعد اللقطة'})
    const withAdded = `${before}${JSON.stringify(added)}\n`
    await lake.stop()
    lake = await spawnLake({dir: base, env: {LAKE_COMPACT_BYTES: '0'}})
    await compactionDone(lake)
    expect(fs.statSync(path.join(base, LOG)).size).toBe(0)
    await expectSame(lake, withAdded)
    await lake.stop()
    // The rewritten snapshot holds the old lines unchanged.
    const rewritten = fs.readFileSync(path.join(base, SNAPSHOT), 'utf8')
    const docLines = (text: string) => text.split('\n').slice(1).filter((l) => l.startsWith('[{', 9) || l.startsWith('{', 9))
    expect(docLines(rewritten).filter((l) => !l.includes('zz-zlast'))).toEqual(docLines(snapshot))
    lake = await spawnLake({dir: base})
    await expectSame(lake, withAdded)
    await lake.stop()
  }, 60_000)
})

/**
 * Right after a start: a patch of a document nothing read, delete checks, point queries, then scans,
 * each compared with the documents exported before the restart.
 */
async function readsAfterStart(dir: string): Promise<void> {
  let lake = await spawnLake({dir, env: {LAKE_COMPACT_BYTES: HUGE}})
  const client = lakeClient(lake)
  const old = (id: string) => JSON.parse(beforeById.get(id)!) as Json
  const withoutRev = ({_rev: _r, _updatedAt: _u, ...rest}: Json) => rest

  // Item 2: the data-loss risk. The patched document keeps every other field, in its order.
  const patched = (await client.patch(A3._id).set({headline: 'عنوان جديد'}).commit()) as Json
  expect(JSON.stringify(withoutRev(patched))).toBe(JSON.stringify(withoutRev({...old(A3._id), headline: 'عنوان جديد'})))

  // Item 5: the referrer is read (deferred) to tell a strong reference from a weak one.
  const refused = await client.delete(T_STRONG._id).then(
    () => null,
    (err: {statusCode: number; message: string}) => err,
  )
  expect(refused?.statusCode).toBe(409)
  expect(refused?.message).toContain(`Document "${T_STRONG._id}" cannot be deleted as there are references to it from "${R_STRONG._id}"`)
  await client.delete(T_SOFT._id) // only a weak reference and a draft's

  // Point queries: by _id, by slug, references(), `->` projections.
  expect(JSON.stringify(await query(lake, '*[_id == $id][0]', {id: A2._id}))).toBe(beforeById.get(A2._id))
  expect(JSON.stringify(await client.fetch('*[_type == "article" && slug.current == $slug][0]', {slug: 'baghdad-elections'}))).toBe(beforeById.get(A1._id))
  expect(await client.fetch('*[references($id)] | order(_id)._id', {id: P1._id})).toEqual([A1._id, Q1._id])
  expect(await client.fetch('*[references($id)]._id', {id: T_SOFT._id}, {perspective: 'raw'})).toEqual(['drafts.zz-ref-draft', R_WEAK._id])
  expect(
    await client.fetch(
      `*[_type == "article" && slug.current == $slug][0]{headline, "author": author->name, "words": body[0].children[0].text,
        "quotes": *[_type == "quote" && article._ref == ^._id] | order(_id) {text, "speaker": speaker->nameLatin}}`,
      {slug: 'baghdad-elections'},
    ),
  ).toEqual({
    headline: 'الانتخابات البلدية في بغداد: النتائج',
    author: 'أحمد الخطيب',
    words: 'نصّ «طويل»\tمع تبويب\nوسطر',
    quotes: [
      {text: 'سنحترم النتائج', speaker: 'Ahmad al-Khatib'},
      {text: 'الأرقام لا تكذب', speaker: 'Layla Haddad'},
    ],
  })
  // Scans: filters on fields only the rest holds, match, order.
  expect(await client.fetch('*[_type == "quote" && speaker._ref == $p].text', {p: P2._id})).toEqual(['الأرقام لا تكذب'])
  expect(await client.fetch('*["بغداد" in tags]._id')).toEqual([A1._id])
  expect(await client.fetch('*[stats.turnout > 0.42]._id')).toEqual([A1._id])
  expect(await client.fetch('*[_type == "article" && headline match "البلدية"]._id')).toEqual([A1._id])
  expect(await client.fetch('*[_type == "article"] | order(publishedAt desc)._id')).toEqual([A2._id, A1._id, A3._id])
  expect(await client.fetch('*[_type == "filler" && n >= 19990] | order(n desc)[0..1].n')).toEqual([19999, 19998])
  expect(await client.fetch('count(*[_type == "filler" && text match "تجريبي"])')).toBe(FILLERS)

  // Everything else is as it was; and the patch is still whole after a restart from the log.
  const after = linesById(await exportText(lake))
  expect(after.has(T_SOFT._id)).toBe(false)
  expect(after.get(A3._id)).toBe(JSON.stringify(patched))
  for (const [id, line] of beforeById) if (id !== A3._id && id !== T_SOFT._id) expect(after.get(id), id).toBe(line)
  await lake.stop()
  lake = await spawnLake({dir, env: {LAKE_COMPACT_BYTES: HUGE}})
  expect(await docText(lake, A3._id)).toBe(JSON.stringify(patched))
  await lake.stop()
}

describe('queries and writes right after a start see whole documents (items 2 and 5)', () => {
  it('started from the log', async () => {
    await readsAfterStart(logOnly)
  }, 30_000)

  it('started from the snapshot', async () => {
    expect(snapshotOnly, 'the round-trip test makes this copy').toBeDefined()
    expect(fs.statSync(path.join(snapshotOnly, LOG)).size).toBe(0)
    await readsAfterStart(snapshotOnly)
  }, 30_000)
})

describe('the old formats still load (item 3)', () => {
  const docA = '{"_id":"old-a","_type":"article","_rev":"rev-a","_createdAt":"2023-01-01T00:00:00Z","_updatedAt":"2023-01-02T00:00:00Z","headline":"مقال قديم","slug":{"_type":"slug","current":"qadim"},"author":{"_type":"reference","_ref":"old-p"}}'
  const docP = '{"_id":"old-p","_type":"person","_rev":"rev-p","_createdAt":"2023-01-01T00:00:00Z","_updatedAt":"2023-01-01T00:00:00Z","name":"كاتب قديم"}'
  const docB = '{"_id":"old-b","_type":"article","_rev":"rev-b","_createdAt":"2024-02-01T00:00:00.000Z","_updatedAt":"2024-02-01T00:00:00.000Z","headline":"من سجل قديم","author":{"_type":"reference","_ref":"old-p"},"n":[1,{"x":null}]}'

  it('a snapshot of format 2 and a log line of format 1 read, and a compacting start writes format 3', async () => {
    const dir = makeTempDir('deferred-old-')
    const header = '{"format":"sanity-newsroom-lake-snapshot/2","seq":2,"count":2,"transactionIds":1}'
    fs.writeFileSync(path.join(dir, SNAPSHOT), [header, docA, docP, '["tx-gone"]'].map(framedLine).join(''), {mode: 0o600})
    const record = `{"seq":3,"transactionId":"rev-b","timestamp":"2024-02-01T00:00:00.000Z","identity":"old","effects":[{"id":"old-b","doc":${docB}}]}`
    fs.writeFileSync(path.join(dir, LOG), framedLine(record), {mode: 0o600})
    const expected = `${docA}\n${docB}\n${docP}\n`

    let lake = await spawnLake({dir, env: {LAKE_COMPACT_BYTES: HUGE}})
    expect(await lakeClient(lake).fetch('*[references("old-p")] | order(_id).headline')).toEqual(['مقال قديم', 'من سجل قديم'])
    expect(await exportText(lake)).toBe(expected)
    expect(await atRevision(lake, 'old-b', 'rev-b')).toBe(docB)
    await lake.stop()

    lake = await spawnLake({dir, env: {LAKE_COMPACT_BYTES: '0'}})
    expect(await exportText(lake)).toBe(expected)
    await lake.stop()
    const snapshot = fs.readFileSync(path.join(dir, SNAPSHOT), 'utf8')
    expect(snapshot).toMatch(/^[0-9a-f]{8} \{"format":"sanity-newsroom-lake-snapshot\/3","seq":3,"count":3,"transactionIds":1\}\n/)
    expect(snapshot).toContain('\t{"headline":"مقال قديم",')
    expect(fs.statSync(path.join(dir, LOG)).size).toBe(0)

    lake = await spawnLake({dir})
    expect(await exportText(lake)).toBe(expected)
    expect(await atRevision(lake, 'old-b', 'rev-b')).toBe(docB) // now from the history file
    // The snapshot's transaction ids are still taken.
    const reused = await lakeRequest(lake, 'POST', `${V}/data/mutate/production?transactionId=tx-gone`, {body: {mutations: [{create: {_id: 'new', _type: 't'}}]}})
    expect(reused.status).toBe(409)
    await lake.stop()
  }, 30_000)
})

describe('damaged split lines (item 4)', () => {
  let logDir: string
  let snapDir: string

  beforeAll(async () => {
    logDir = makeTempDir('deferred-damage-')
    const lake = await spawnLake({dir: logDir})
    const client = lakeClient(lake)
    for (let i = 1; i <= 3; i++) await client.create({_id: `d-${i}`, _type: 't', title: `عنوان ${i}`, n: i})
    await lake.stop()
    snapDir = copyOf(logDir)
    const compacting = await spawnLake({dir: snapDir, env: {LAKE_COMPACT_BYTES: '0'}})
    await compacting.stop()
    expect(fs.statSync(path.join(snapDir, LOG)).size).toBe(0)
  }, 30_000)

  /** Rewrites line `n` (1-based) of `file` with `edit` applied to its JSON, checksum recomputed; returns the line's byte offset. */
  function rewriteLine(file: string, n: number, edit: (json: string) => string): number {
    const lines = fs.readFileSync(file, 'utf8').split('\n')
    const json = lines[n - 1]!.slice(9)
    const changed = edit(json)
    expect(changed).not.toBe(json)
    lines[n - 1] = framedLine(changed).slice(0, -1)
    fs.writeFileSync(file, lines.join('\n'))
    return Buffer.byteLength(lines.slice(0, n - 1).map((l) => `${l}\n`).join(''))
  }

  const refusal = (dir: string): Promise<string> => refusedStart(dir)

  const heads: Array<[string, (json: string) => string, RegExp]> = [
    ['a head of three items', (j) => j.replace(/,null,\[\],\[\]\]\t/, ',null,[]]\t'), /the checksum matches but it is a split document whose head is not \[shell, slug, strong, other\]/],
    ['no tab between head and rest', (j) => j.replace('\t', ' '), /the checksum matches but it is a split document without its tab/],
    ['a rest that is not an object', (j) => j.replace('\t{', '\t[').replace(/\}$/, ']'), /the checksum matches but it is a split document whose rest is not an object/],
    ['a head that is an object', (j) => j.replace(/^\[/, '{"shell":').replace(/,null,\[\],\[\]\]\t/, '}\t'), /the checksum matches but the JSON does not parse/],
  ]
  for (const [name, edit, problem] of heads) {
    it(`refuses a snapshot line with ${name}, naming file, line and offset, and changes nothing`, async () => {
      const dir = copyOf(snapDir)
      const file = path.join(dir, SNAPSHOT)
      const offset = rewriteLine(file, 3, edit)
      const files = filesOf(dir)
      const message = await refusal(dir)
      expect(message).toContain(`snapshot ${file} is corrupt at line 3 (byte offset ${offset}): `)
      expect(message).toMatch(problem)
      expect(message).toContain('refuses to start and has changed nothing')
      expect(filesOf(dir)).toEqual(files)
    })
  }

  it('refuses a log line whose document head is malformed, naming file, line and offset, and changes nothing', async () => {
    const dir = copyOf(logDir)
    const file = path.join(dir, LOG)
    const offset = rewriteLine(file, 2, (j) => j.replace(/,null,\[\],\[\]\]\t/, ',7,[],[]]\t'))
    const files = filesOf(dir)
    const message = await refusal(dir)
    expect(message).toContain(`transaction log ${file} is corrupt at line 2 (byte offset ${offset}): the checksum matches but the record does not read (a split document with a malformed head)`)
    expect(message).toContain(`truncate -s ${offset} ${file}`)
    expect(filesOf(dir)).toEqual(files)
  })

  // A rest that does not parse is not seen at start-up (only heads are parsed): the lake starts, and
  // the background filler meets it moments later. It reports the document once and goes on; reads of
  // that document fail with the same message (never the bare shell), the others are served, and
  // nothing on disk changes.
  for (const where of ['snapshot', 'log'] as const) {
    it(`a ${where} line whose rest does not parse (checksum recomputed): the lake names the document, refuses to read it, serves the others; nothing on disk changes`, async () => {
      const dir = copyOf(where === 'snapshot' ? snapDir : logDir)
      const bad = where === 'snapshot' ? 'd-1' : 'd-2'
      rewriteLine(path.join(dir, where === 'snapshot' ? SNAPSHOT : LOG), 2, (j) => j.replace(/"n":(\d)\}/, '"n":$1'))
      const files = filesOf(dir)
      const lake = await spawnLake({dir})
      try {
        const deadline = Date.now() + 10_000
        while (!lake.stderr().includes(`document "${bad}" cannot be read`) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
        expect(lake.stderr()).toContain(`document "${bad}" cannot be read: its stored bytes do not parse`)
        expect(lake.stderr()).toContain('npm run lake -- import')
        for (let i = 0; i < 2; i++) {
          const res = await lakeRequest(lake, 'GET', `${V}/data/doc/production/${bad}`)
          expect(res.status).toBeGreaterThanOrEqual(500)
          expect(res.text).toContain('cannot be read')
        }
        const patch = await lakeRequest(lake, 'POST', `${V}/data/mutate/production`, {body: {mutations: [{patch: {id: bad, set: {n: 9}}}]}})
        expect(patch.status).toBeGreaterThanOrEqual(500)
        expect(patch.text).toContain('cannot be read')
        const other = await lakeRequest(lake, 'GET', `${V}/data/doc/production/${bad === 'd-1' ? 'd-3' : 'd-1'}`)
        expect(other.status).toBe(200)
        expect(lake.proc.exitCode).toBeNull()
      } finally {
        await lake.stop()
      }
      expect(filesOf(dir)).toEqual(files)
    }, 20_000)
  }
})
