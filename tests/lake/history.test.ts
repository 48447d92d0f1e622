// Revision history (history.ts, historyApi.ts) against a real lake process, with the requests the
// Studio 5 History panel makes: events of the document group, transactions with mendoza effects,
// documents at a revision or a time, and restore (replaceDraft with an old revision, then publish).
// Hosted Sanity's history API is the reference; where only the Studio code says what it expects,
// the test says so.
import fs from 'node:fs'
import path from 'node:path'
import {applyPatch} from 'mendoza'
import {afterAll, describe, expect, it} from 'vitest'
import {mendozaPatch} from '../../src/lake/mendozaDiff'
import {compactionDone, lakeClient, lakeRequest, makeTempDir, removeTempDirs, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

interface Tx {
  id: string
  timestamp: string
  author: string
  documentIDs: string[]
  mutations?: unknown[]
  effects?: Record<string, {apply: unknown[]; revert: unknown[]}>
}

type Doc = Record<string, unknown> & {_id: string; _rev: string; headline?: string}

const V = '/v2025-02-19'
const H = `${V}/data/history/production`

async function transactions(lake: SpawnedLake, ids: string, query = ''): Promise<Tx[]> {
  const res = await lakeRequest(lake, 'GET', `${H}/transactions/${ids}?${query}`)
  expect(res.status, res.text).toBe(200)
  expect(res.headers.get('content-type')).toContain('application/x-ndjson')
  return res.text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Tx)
}

async function documents(lake: SpawnedLake, ids: string, query: string): Promise<Doc[]> {
  const res = await lakeRequest(lake, 'GET', `${H}/documents/${ids}?${query}`)
  expect(res.status, res.text).toBe(200)
  return (res.json as {documents: Doc[]}).documents
}

async function events(lake: SpawnedLake, id: string, query = 'limit=100'): Promise<{events: Record<string, Array<Record<string, unknown>>>; nextCursor: string}> {
  const res = await lakeRequest(lake, 'GET', `${H}/events/documents/${id}?${query}`)
  expect(res.status, res.text).toBe(200)
  return res.json as {events: Record<string, Array<Record<string, unknown>>>; nextCursor: string}
}

function actions(lake: SpawnedLake, list: unknown[]) {
  return lakeRequest(lake, 'POST', `${V}/data/actions/production`, {body: {actions: list}})
}

const withoutRev = (doc: Doc | null) => {
  if (!doc) return null
  const {_rev: _r, ...rest} = doc
  return rest
}

describe('mendoza effects', () => {
  it('apply turns each revision into the next and revert turns it back, as the mendoza decoder reads them', () => {
    // A seeded generator: the same cases every run.
    let state = 7
    const rand = (n: number) => ((state = (state * 1103515245 + 12345) % 2 ** 31) % n)
    const keys = ['a', 'B', '_z', 'm', 'Z1', 'title', '_key', 'c']
    const value = (depth: number): unknown => {
      const kind = rand(depth > 2 ? 4 : 6)
      if (kind === 0) return rand(100)
      if (kind === 1) return `s${rand(5)}`
      if (kind === 2) return null
      if (kind === 3) return [rand(3), `x${rand(3)}`]
      return object(depth + 1)
    }
    const object = (depth: number): Record<string, unknown> => {
      const out: Record<string, unknown> = {}
      for (const k of keys) if (rand(3) > 0) out[k] = value(depth)
      return out
    }
    const mutate = (obj: Record<string, unknown>, depth: number): Record<string, unknown> => {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(obj)) {
        const r = rand(6)
        if (r === 0) continue // deleted
        if (r === 1) out[k] = value(depth)
        else if (r === 2 && v && typeof v === 'object' && !Array.isArray(v)) out[k] = mutate(v as Record<string, unknown>, depth + 1)
        else out[k] = v
      }
      if (rand(2)) out[keys[rand(keys.length)]!] = value(depth)
      return out
    }
    for (let i = 0; i < 300; i++) {
      const a = {_id: 'd', _rev: 'r1', ...object(0)}
      const b = {_id: 'd', _rev: 'r2', ...mutate(a, 0)}
      const strip = ({_rev: _r, ...rest}: Record<string, unknown>) => rest
      expect(applyPatch(strip(a), mendozaPatch(a, b))).toEqual(strip(b))
      expect(applyPatch(strip(b), mendozaPatch(b, a))).toEqual(strip(a))
    }
    expect(applyPatch(null, mendozaPatch(null, {_id: 'x', _rev: 'r', n: 1}))).toEqual({_id: 'x', n: 1})
    expect(mendozaPatch({_id: 'x', _rev: 'r'}, null)).toEqual([0, null])
  })
})

describe('history of a document edited and published as the Studio does it', () => {
  const dir = makeTempDir('history-')
  let lake: SpawnedLake
  const id = 'article-h'
  const draft = `drafts.${id}`
  let created: Doc
  const revs: {edit1?: string; edit2?: string; publish?: string} = {}
  let afterCreate: string
  let afterPublish: string

  it('keeps every transaction of the published document and its draft', async () => {
    lake = await spawnLake({dir})
    const client = lakeClient(lake)
    created = (await client.create({_id: id, _type: 'article', headline: 'الأول', body: {lead: 'a', tags: ['x']}})) as Doc
    await new Promise((r) => setTimeout(r, 20))
    afterCreate = new Date().toISOString()
    await new Promise((r) => setTimeout(r, 20))
    // The Studio's first keystroke: edit makes the draft from the published document, with the patch.
    const e1 = await actions(lake, [{actionType: 'sanity.action.document.edit', publishedId: id, draftId: draft, patch: {set: {headline: 'الثاني'}}}])
    expect(e1.status, e1.text).toBe(200)
    revs.edit1 = (await client.getDocument(draft))!._rev
    const e2 = await actions(lake, [{actionType: 'sanity.action.document.edit', publishedId: id, draftId: draft, patch: {set: {'body.lead': 'b'}, unset: ['body.tags']}}])
    expect(e2.status).toBe(200)
    revs.edit2 = (await client.getDocument(draft))!._rev
    const pub = await actions(lake, [{actionType: 'sanity.action.document.publish', publishedId: id, draftId: draft, ifPublishedRevisionId: created._rev}])
    expect(pub.status, pub.text).toBe(200)
    revs.publish = (await client.getDocument(id))!._rev
    await new Promise((r) => setTimeout(r, 20))
    afterPublish = new Date().toISOString()

    // What the Studio asks (getDocumentTransactions): both ids, mendoza effects, no content.
    const txs = await transactions(lake, `${id},${draft}`, 'tag=sanity.studio.documents.history&effectFormat=mendoza&excludeContent=true&includeIdentifiedDocumentsOnly=true&limit=50')
    expect(txs.map((t) => t.id)).toEqual([created._rev, revs.edit1, revs.edit2, revs.publish])
    expect(txs.map((t) => t.documentIDs)).toEqual([[id], [draft], [draft], [id, draft]])
    for (const tx of txs) {
      expect(tx.author).toBe('local-lake-user')
      expect(Number.isNaN(Date.parse(tx.timestamp))).toBe(false)
      expect(tx.mutations).toBeUndefined()
    }
    // Replaying the effects rebuilds every revision, and reverting goes back (mendoza, without _rev).
    let published: Record<string, unknown> | null = null
    let drafted: Record<string, unknown> | null = null
    const states: Array<[Record<string, unknown> | null, Record<string, unknown> | null]> = []
    for (const tx of txs) {
      if (tx.effects![id]) published = applyPatch(published, tx.effects![id]!.apply)
      if (tx.effects![draft]) drafted = applyPatch(drafted, tx.effects![draft]!.apply)
      states.push([published, drafted])
    }
    expect(published).toEqual(withoutRev((await client.getDocument(id)) as Doc))
    expect(drafted).toBeNull()
    expect(states[1]![1]).toMatchObject({headline: 'الثاني', body: {lead: 'a', tags: ['x']}})
    expect(states[2]![1]).toMatchObject({headline: 'الثاني', body: {lead: 'b'}})
    expect((states[2]![1] as {body: object}).body).not.toHaveProperty('tags')
    expect(applyPatch(states[3]![0], txs[3]!.effects![id]!.revert)).toEqual(withoutRev(created))

    // Newest first with a limit, the legacy timeline's paging (toTransaction is inclusive).
    expect((await transactions(lake, `${id},${draft}`, 'reverse=true&limit=2')).map((t) => t.id)).toEqual([revs.publish, revs.edit2])
    expect((await transactions(lake, `${id},${draft}`, `reverse=true&limit=2&toTransaction=${revs.edit1}`)).map((t) => t.id)).toEqual([revs.edit1, created._rev])
    // fromTransaction is inclusive too: the Studio drops that one itself.
    expect((await transactions(lake, draft, `fromTransaction=${revs.edit2}`)).map((t) => t.id)).toEqual([revs.edit2, revs.publish])
    // Without excludeContent, each transaction says what it left: the resulting document or a delete.
    const full = await transactions(lake, draft, '')
    expect(full.at(-1)!.mutations).toEqual([{delete: {id: draft}}])
    expect(full[0]!.mutations).toEqual([{createOrReplace: expect.objectContaining({_id: draft, headline: 'الثاني'})}])
  })

  it('serves each document as it was at a revision and at a time', async () => {
    expect(await documents(lake, id, `revision=${created._rev}`)).toEqual([created])
    expect((await documents(lake, draft, `revision=${revs.edit1}`))[0]).toMatchObject({_id: draft, _rev: revs.edit1, headline: 'الثاني'})
    // restore() asks published and draft together and keeps the one whose _rev matches.
    expect((await documents(lake, `${id},${draft}`, `revision=${revs.edit2}`)).map((d) => [d._id, d._rev])).toEqual([
      [id, created._rev],
      [draft, revs.edit2],
    ])
    // The Studio's draft timeline asks the draft id for revisions of the published document.
    expect(await documents(lake, draft, `revision=${created._rev}`)).toEqual([created])
    expect(await documents(lake, id, 'revision=no-such-revision')).toEqual([])
    expect(await documents(lake, id, `time=${afterCreate}`)).toEqual([created])
    expect(await documents(lake, draft, `time=${afterCreate}`)).toEqual([])
    expect((await documents(lake, id, `time=${afterPublish}`))[0]).toMatchObject({_rev: revs.publish, headline: 'الثاني'})
    expect(await documents(lake, id, 'time=2001-01-01T00:00:00Z')).toEqual([])
    // The draft is gone; its last revision is what lastRevision gives.
    expect((await documents(lake, draft, 'lastRevision=true'))[0]).toMatchObject({_rev: revs.edit2})
    expect((await lakeRequest(lake, 'GET', `${H}/documents/${id}?time=yesterday`)).status).toBe(400)
    expect((await lakeRequest(lake, 'GET', `${H}/documents/${id}?time=${afterCreate}&revision=${created._rev}`)).status).toBe(400)
    expect((await lakeRequest(lake, 'GET', `${H}/documents/${id}?revision=${created._rev}`, {token: null})).status).toBe(401)
  })

  it('lists the document group events the Studio 5 timeline reads, newest first', async () => {
    const {events: byId, nextCursor} = await events(lake, draft)
    expect(nextCursor).toBe('')
    const list = byId[draft]!
    expect(list.map((e) => e.type)).toEqual(['publishDocumentVersion', 'createDocumentVersion', 'createDocumentVersion'])
    expect(list[0]).toMatchObject({documentId: id, versionId: draft, revisionId: revs.publish, versionRevisionId: revs.edit2, publishCause: 'document.publish', author: 'local-lake-user'})
    expect(list[1]).toMatchObject({documentId: id, versionId: draft, versionRevisionId: revs.edit1})
    expect(list[2]).toMatchObject({documentId: id, versionId: id, revisionId: created._rev})
    // The published view asks the published id; paging goes on from nextCursor.
    const first = await events(lake, id, 'limit=2')
    expect(first.events[id]).toHaveLength(2)
    expect(first.nextCursor).not.toBe('')
    const rest = await events(lake, id, `limit=2&nextCursor=${first.nextCursor}`)
    expect(rest.events[id]!.map((e) => e.type)).toEqual(['createDocumentVersion'])
    expect(rest.nextCursor).toBe('')
  })

  it('restores the first revision as the Studio does: replaceDraft with it, then publish', async () => {
    const [old] = (await documents(lake, `${id},${draft}`, `revision=${created._rev}`)).filter((d) => d._rev === created._rev)
    const {_updatedAt: _u, ...attributes} = old!
    const restore = await actions(lake, [{actionType: 'sanity.action.document.replaceDraft', publishedId: id, attributes: {...attributes, _id: draft}}])
    expect(restore.status, restore.text).toBe(200)
    const pub = await actions(lake, [{actionType: 'sanity.action.document.publish', publishedId: id, draftId: draft}])
    expect(pub.status, pub.text).toBe(200)
    const now = (await lakeClient(lake).getDocument(id)) as Doc
    expect(now.headline).toBe('الأول')
    expect(now.body).toEqual({lead: 'a', tags: ['x']})
    expect((await transactions(lake, id)).length).toBe(3)
  })

  it('keeps it all across a restart, and across compaction into the snapshot', async () => {
    const before = await transactions(lake, `${id},${draft}`, 'effectFormat=mendoza')
    expect(before).toHaveLength(6)
    await lake.stop()
    lake = await spawnLake({dir})
    expect(await transactions(lake, `${id},${draft}`, 'effectFormat=mendoza')).toEqual(before)
    await lake.stop()
    // LAKE_COMPACT_BYTES=1: this start compacts the log; the revisions move to history.ndjson first.
    lake = await spawnLake({dir, env: {LAKE_COMPACT_BYTES: '1'}})
    await compactionDone(lake)
    expect(fs.statSync(path.join(dir, 'transactions.ndjson')).size).toBe(0)
    const historyFile = path.join(dir, 'history.ndjson')
    expect(fs.statSync(historyFile).mode & 0o777).toBe(0o600)
    expect(await transactions(lake, `${id},${draft}`, 'effectFormat=mendoza')).toEqual(before)
    expect(await documents(lake, id, `revision=${created._rev}`)).toEqual([created])
    expect((await documents(lake, draft, `revision=${revs.edit1}`))[0]).toMatchObject({headline: 'الثاني'})
    expect((await events(lake, draft)).events[draft]!.length).toBe(5)
    // A new edit after compaction joins the archived ones; one more compacting start keeps each once.
    await lakeClient(lake).patch(id).set({headline: 'الثالث'}).commit()
    await lake.stop()
    lake = await spawnLake({dir, env: {LAKE_COMPACT_BYTES: '1'}})
    const after = await transactions(lake, `${id},${draft}`)
    expect(after.map((t) => t.id)).toEqual([...before.map((t) => t.id), expect.any(String)])
    expect(new Set(after.map((t) => t.id)).size).toBe(after.length)
    expect(await documents(lake, id, `revision=${created._rev}`)).toEqual([created])
    await lake.stop()
  })
})

describe('bounds and preferences', () => {
  it('keeps the last LAKE_HISTORY_REVISIONS revisions of each document, also after compaction', async () => {
    const dir = makeTempDir('history-bound-')
    let lake = await spawnLake({dir, env: {LAKE_HISTORY_REVISIONS: '3'}})
    const client = lakeClient(lake)
    await client.create({_id: 'b', _type: 'article', n: 0})
    for (let n = 1; n <= 5; n++) await client.patch('b').set({n}).commit()
    const kept = await transactions(lake, 'b', 'effectFormat=mendoza')
    expect(kept).toHaveLength(3)
    // The oldest kept revision is an edit whose predecessor is gone: its effect still rebuilds it.
    expect(applyPatch(null, kept[0]!.effects!.b!.apply)).toMatchObject({n: 3})
    expect(applyPatch(applyPatch(null, kept[0]!.effects!.b!.apply), kept[1]!.effects!.b!.apply)).toMatchObject({n: 4})
    await lake.stop()
    lake = await spawnLake({dir, env: {LAKE_HISTORY_REVISIONS: '3', LAKE_COMPACT_BYTES: '1'}})
    expect((await transactions(lake, 'b')).map((t) => t.id)).toEqual(kept.map((t) => t.id))
    await lake.stop()

    const refused = await spawnLake({dir, env: {LAKE_HISTORY_REVISIONS: 'lots'}}).then(
      () => null,
      (err: Error) => err.message,
    )
    expect(refused).toContain('LAKE_HISTORY_REVISIONS=lots')
  })

  it('keeps users/me/keyvalue across a restart, in a private file', async () => {
    const dir = makeTempDir('keyvalue-')
    let lake = await spawnLake({dir})
    const put = await lakeRequest(lake, 'PUT', `${V}/users/me/keyvalue`, {body: [{key: 'studio.pane', value: {width: 420}}, {key: 'studio.tz', value: 'Asia/Amman'}]})
    expect(put.status).toBe(200)
    await lake.stop()
    expect(fs.statSync(path.join(dir, 'keyvalue.json')).mode & 0o777).toBe(0o600)
    lake = await spawnLake({dir})
    expect((await lakeRequest(lake, 'GET', `${V}/users/me/keyvalue/studio.pane,studio.tz,studio.none`)).json).toEqual([
      {key: 'studio.pane', value: {width: 420}},
      {key: 'studio.tz', value: 'Asia/Amman'},
      {key: 'studio.none', value: null},
    ])
    await lake.stop()
  })
})
