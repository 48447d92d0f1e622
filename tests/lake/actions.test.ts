// The Actions API (POST data/actions/:dataset), which is how Sanity Studio 5 writes, over real HTTP
// through @sanity/client's client.action() and raw fetch.
import type {SanityClient} from '@sanity/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, lakeRequest, removeTempDirs, spawnLake, stopAllLakes, type Json, type SpawnedLake} from '../helpers/lake'

let lake: SpawnedLake
let client: SanityClient

beforeAll(async () => {
  lake = await spawnLake()
  client = lakeClient(lake)
}, 30_000)

afterAll(async () => {
  await lake?.stop()
  await stopAllLakes()
  removeTempDirs()
})

async function actions(body: unknown, token: string | null = lake.token): Promise<{status: number; json: Json}> {
  const res = await lakeRequest(lake, 'POST', '/v2025-02-19/data/actions/production', {body, token})
  if (!res.json) throw new Error(`data/actions answered ${res.status} with a body that is not JSON: ${res.text.slice(0, 200)}`)
  return {status: res.status, json: res.json}
}

const raw = (id: string) => client.getDocument(id) as Promise<Json | undefined>

describe('document actions', () => {
  it('create makes a draft; ifExists "fail" is a 409, "ignore" a no-op', async () => {
    const res = await client.action({
      actionType: 'sanity.action.document.create',
      publishedId: 'a1',
      attributes: {_id: 'drafts.a1', _type: 'article', headline: 'مسودة'},
      ifExists: 'fail',
    })
    expect(res.transactionId).toEqual(expect.any(String))
    const draft = await raw('drafts.a1')
    expect(draft).toMatchObject({_id: 'drafts.a1', _type: 'article', headline: 'مسودة', _rev: res.transactionId})
    expect(await raw('a1')).toBeUndefined()

    const again = await actions({actions: [{actionType: 'sanity.action.document.create', publishedId: 'a1', attributes: {_type: 'article'}, ifExists: 'fail'}]})
    expect(again.status).toBe(409)
    expect(again.json.error).toMatchObject({type: 'actionError', items: [{index: 0, error: {type: 'documentAlreadyExistsError', id: 'drafts.a1'}}]})

    await client.action({actionType: 'sanity.action.document.create', publishedId: 'a1', attributes: {_id: 'drafts.a1', _type: 'article', headline: 'x'}, ifExists: 'ignore'})
    expect((await raw('drafts.a1'))?.headline).toBe('مسودة')
  })

  it('edit patches the draft, creating it from the published document when missing', async () => {
    const published = await client.create({_id: 'a2', _type: 'article', headline: 'الأصل', tags: ['a']})
    const res = await client.action({
      actionType: 'sanity.action.document.edit',
      draftId: 'drafts.a2',
      publishedId: 'a2',
      patch: {set: {headline: 'معدل'}, insert: {after: 'tags[-1]', items: ['b']}},
    })
    const draft = await raw('drafts.a2')
    expect(draft).toMatchObject({_id: 'drafts.a2', _type: 'article', headline: 'معدل', tags: ['a', 'b'], _rev: res.transactionId})
    // The published document is untouched until publish.
    expect(await raw('a2')).toEqual(published)

    await client.action({actionType: 'sanity.action.document.edit', draftId: 'drafts.a2', publishedId: 'a2', patch: {unset: ['tags']}})
    expect(await raw('drafts.a2')).not.toHaveProperty('tags')

    const missing = await actions({actions: [{actionType: 'sanity.action.document.edit', draftId: 'drafts.none', publishedId: 'none', patch: {set: {a: 1}}}]})
    expect(missing.status).toBe(404)
    expect(JSON.stringify(missing.json)).toContain('drafts.none')

    const mismatched = await actions({actions: [{actionType: 'sanity.action.document.edit', draftId: 'drafts.other', publishedId: 'a2', patch: {set: {a: 1}}}]})
    expect(mismatched.status).toBe(400)
  })

  it('publish moves the draft over the published document, with a new _rev, checking ifPublishedRevisionId', async () => {
    const published = await client.create({_id: 'a3', _type: 'article', headline: 'قديم'})
    await client.action({actionType: 'sanity.action.document.edit', draftId: 'drafts.a3', publishedId: 'a3', patch: {set: {headline: 'جديد'}}})

    const stale = await actions({
      actions: [{actionType: 'sanity.action.document.publish', draftId: 'drafts.a3', publishedId: 'a3', ifPublishedRevisionId: 'not-the-rev'}],
    })
    expect(stale.status).toBe(409)
    expect(stale.json.error).toMatchObject({type: 'actionError', items: [{index: 0, error: {type: 'conflictError', id: 'a3'}}]})
    expect(await raw('a3')).toEqual(published)
    expect(await raw('drafts.a3')).toMatchObject({_id: 'drafts.a3', _type: 'article', headline: 'جديد'})

    const res = await client.action({
      actionType: 'sanity.action.document.publish',
      draftId: 'drafts.a3',
      publishedId: 'a3',
      ifPublishedRevisionId: published._rev,
    })
    const now = await raw('a3')
    expect(now).toMatchObject({_id: 'a3', headline: 'جديد', _rev: res.transactionId, _createdAt: published._createdAt})
    expect(now?._rev).not.toBe(published._rev)
    expect(await raw('drafts.a3')).toBeUndefined()
    expect(await client.fetch('*[_id == "a3"][0].headline', {}, {perspective: 'published'})).toBe('جديد')

    const nothing = await actions({actions: [{actionType: 'sanity.action.document.publish', draftId: 'drafts.a3', publishedId: 'a3'}]})
    expect(nothing.status).toBe(409)
  })

  it('publish of a new document needs no ifPublishedRevisionId and strengthens references', async () => {
    await client.create({_id: 'person-1', _type: 'person', name: 'كريستيان جيمس'})
    await client.action({
      actionType: 'sanity.action.document.create',
      publishedId: 'q1',
      attributes: {
        _id: 'drafts.q1',
        _type: 'quote',
        speaker: {_type: 'reference', _ref: 'person-1', _weak: true, _strengthenOnPublish: {type: 'person'}},
      },
      ifExists: 'fail',
    })
    const withRevOfNothing = await actions({
      actions: [{actionType: 'sanity.action.document.publish', draftId: 'drafts.q1', publishedId: 'q1', ifPublishedRevisionId: 'abc'}],
    })
    expect(withRevOfNothing.status).toBe(409)
    await client.action({actionType: 'sanity.action.document.publish', draftId: 'drafts.q1', publishedId: 'q1'})
    expect((await raw('q1'))?.speaker).toEqual({_type: 'reference', _ref: 'person-1'})
    // Strong now: the person cannot be deleted while the published quote references it.
    const del = await actions({actions: [{actionType: 'sanity.action.document.delete', publishedId: 'person-1'}]})
    expect(del.status).toBe(409)
    expect(JSON.stringify(del.json)).toContain('documentHasExistingReferencesError')
  })

  it('unpublish keeps the content as the draft; it refuses while published documents reference it', async () => {
    const published = await client.create({_id: 'a4', _type: 'article', headline: 'منشور'})
    await client.action({actionType: 'sanity.action.document.unpublish', draftId: 'drafts.a4', publishedId: 'a4'})
    expect(await raw('a4')).toBeUndefined()
    expect(await raw('drafts.a4')).toMatchObject({_id: 'drafts.a4', headline: published.headline})

    const notPublished = await actions({actions: [{actionType: 'sanity.action.document.unpublish', draftId: 'drafts.a4', publishedId: 'a4'}]})
    expect(notPublished.status).toBe(409)

    const target = await client.create({_id: 'target', _type: 'person'})
    await client.create({_id: 'referrer', _type: 'quote', speaker: {_type: 'reference', _ref: 'target'}})
    const referenced = await actions({actions: [{actionType: 'sanity.action.document.unpublish', draftId: 'drafts.target', publishedId: 'target'}]})
    expect(referenced.status).toBe(409)
    expect(await raw('target')).toEqual(target)
    expect(await raw('drafts.target')).toBeUndefined()
  })

  it('discard deletes the draft only', async () => {
    await client.create({_id: 'a5', _type: 'article', headline: 'ثابت'})
    await client.action({actionType: 'sanity.action.document.edit', draftId: 'drafts.a5', publishedId: 'a5', patch: {set: {headline: 'مؤقت'}}})
    await client.action({actionType: 'sanity.action.document.discard', draftId: 'drafts.a5'})
    expect(await raw('drafts.a5')).toBeUndefined()
    expect((await raw('a5'))?.headline).toBe('ثابت')
    const again = await actions({actions: [{actionType: 'sanity.action.document.discard', draftId: 'drafts.a5'}]})
    expect(again.status).toBe(409)
  })

  it('delete removes the published document and the drafts it lists, and no draft it does not list', async () => {
    const a6 = await client.create({_id: 'a6', _type: 'article'})
    const draft = await client.create({_id: 'drafts.a6', _type: 'article'})
    const unlisted = await actions({actions: [{actionType: 'sanity.action.document.delete', publishedId: 'a6'}]})
    expect(unlisted.status).toBe(409)
    expect(await raw('a6')).toEqual(a6)
    expect(await raw('drafts.a6')).toEqual(draft)
    await client.action({actionType: 'sanity.action.document.delete', publishedId: 'a6', includeDrafts: ['drafts.a6']})
    expect(await raw('a6')).toBeUndefined()
    expect(await raw('drafts.a6')).toBeUndefined()
  })

  it('is atomic: one failing action leaves every document as it was', async () => {
    const published = await client.create({_id: 'a7', _type: 'article', headline: 'كما هو'})
    const res = await actions({
      actions: [
        {actionType: 'sanity.action.document.edit', draftId: 'drafts.a7', publishedId: 'a7', patch: {set: {headline: 'لن يبقى'}}},
        {actionType: 'sanity.action.document.create', publishedId: 'a8', attributes: {_type: 'article'}},
        {actionType: 'sanity.action.document.publish', draftId: 'drafts.a7', publishedId: 'a7', ifPublishedRevisionId: 'stale'},
      ],
    })
    expect(res.status).toBe(409)
    expect(res.json.error).toMatchObject({items: [{index: 2}]})
    expect(await raw('a7')).toEqual(published)
    expect(await raw('drafts.a7')).toBeUndefined()
    expect(await raw('drafts.a8')).toBeUndefined()

    // The same actions with the right revision go through together, in order.
    const ok = await actions({
      transactionId: 'tx-atomic-1',
      actions: [
        {actionType: 'sanity.action.document.edit', draftId: 'drafts.a7', publishedId: 'a7', patch: {set: {headline: 'تغير'}}},
        {actionType: 'sanity.action.document.publish', draftId: 'drafts.a7', publishedId: 'a7', ifPublishedRevisionId: published._rev},
      ],
    })
    expect(ok).toEqual({status: 200, json: {transactionId: 'tx-atomic-1'}})
    expect(await raw('a7')).toMatchObject({headline: 'تغير', _rev: 'tx-atomic-1'})
  })

  it('dryRun plans without writing', async () => {
    const res = await actions({dryRun: true, actions: [{actionType: 'sanity.action.document.create', publishedId: 'dry', attributes: {_type: 'x'}}]})
    expect(res.status).toBe(200)
    expect(await raw('drafts.dry')).toBeUndefined()
  })

  it('rejects malformed requests with 400 and anonymous writers with 403', async () => {
    expect((await actions({})).status).toBe(400)
    expect((await actions({actions: []})).status).toBe(400)
    const unknown = await actions({actions: [{actionType: 'sanity.action.document.teleport', publishedId: 'x'}]})
    expect(unknown.status).toBe(400)
    expect(JSON.stringify(unknown.json)).toContain('sanity.action.document.teleport')
    expect((await actions({actions: [{actionType: 'sanity.action.document.create', publishedId: 'drafts.x', attributes: {_type: 'x'}}]})).status).toBe(400)
    const anon = await actions({actions: [{actionType: 'sanity.action.document.create', publishedId: 'anon', attributes: {_type: 'x'}}]}, null)
    expect(anon.status).toBe(403)
    expect(await raw('drafts.anon')).toBeUndefined()
  })

  it('tells listeners, with the request transactionId and a chained revision per document', async () => {
    const events: Json[] = []
    let welcomed!: () => void
    const welcome = new Promise<void>((resolve) => (welcomed = resolve))
    const subscription = client
      .listen('*[_id in ["a9", "drafts.a9"]]', {}, {events: ['welcome', 'mutation'], effectFormat: 'mendoza', includeResult: true})
      .subscribe((event) => {
        if (event.type === 'welcome') welcomed()
        else events.push(event as unknown as Json)
      })
    try {
      await welcome
      const created = await client.create({_id: 'a9', _type: 'article', headline: 'أ'})
      await actions({
        transactionId: 'tx-listen-1',
        actions: [{actionType: 'sanity.action.document.edit', draftId: 'drafts.a9', publishedId: 'a9', patch: {set: {headline: 'ب'}}}],
      })
      await actions({
        transactionId: 'tx-listen-2',
        actions: [{actionType: 'sanity.action.document.publish', draftId: 'drafts.a9', publishedId: 'a9', ifPublishedRevisionId: created._rev}],
      })
      const deadline = Date.now() + 5000
      while (events.length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      const brief = events.map((e) => [e.transactionId, e.documentId, e.transition, e.previousRev ?? null, e.resultRev])
      expect(brief).toEqual([
        [created._rev, 'a9', 'appear', null, created._rev],
        ['tx-listen-1', 'drafts.a9', 'appear', null, 'tx-listen-1'],
        ['tx-listen-2', 'drafts.a9', 'disappear', 'tx-listen-1', 'tx-listen-2'],
        ['tx-listen-2', 'a9', 'update', created._rev, 'tx-listen-2'],
      ])
      expect(events[3].effects).toEqual({apply: [0, events[3].result], revert: [0, expect.objectContaining({headline: 'أ'})]})
      expect(events[2]).toMatchObject({transactionTotalEvents: 2, transactionCurrentEvent: 1})
    } finally {
      subscription.unsubscribe()
    }
  })

  it('goes through the durable log: a restarted lake has what was published', async () => {
    const dir = lake.dir
    await client.action({actionType: 'sanity.action.document.create', publishedId: 'durable', attributes: {_id: 'drafts.durable', _type: 'article', headline: 'باقٍ'}, ifExists: 'fail'})
    await client.action({actionType: 'sanity.action.document.publish', draftId: 'drafts.durable', publishedId: 'durable'})
    await lake.stop('SIGKILL')
    lake = await spawnLake({dir})
    client = lakeClient(lake)
    expect(await raw('durable')).toMatchObject({headline: 'باقٍ'})
    expect(await raw('drafts.durable')).toBeUndefined()
  })
})
