import http2 from 'node:http2'
import https from 'node:https'
import type {SanityClient} from '@sanity/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, lakeRequest, removeTempDirs, spawnLake, stopAllLakes, type Json, type SpawnedLake} from '../helpers/lake'

let lake: SpawnedLake
let client: SanityClient

beforeAll(async () => {
  lake = await spawnLake({tls: true})
  client = lakeClient(lake)
}, 30_000)

afterAll(async () => {
  await lake?.stop()
  await stopAllLakes()
  removeTempDirs()
})

const api = (method: string, pathname: string, options?: Parameters<typeof lakeRequest>[3]) => lakeRequest(lake, method, pathname, options)

async function expectStillServing() {
  const ping = await api('GET', '/v1/ping')
  expect(ping.status).toBe(200)
  expect(ping.text).toBe('PONG')
  expect(await client.fetch('count(*[_id == $id])', {id: 'nothing-here'})).toBe(0)
}

function errorOf(err: unknown): {statusCode?: number; message: string; details?: Json} {
  return err as {statusCode?: number; message: string; details?: Json}
}

describe('documents through @sanity/client', () => {
  it('creates, reads, patches and deletes, with server-set _rev/_createdAt/_updatedAt', async () => {
    const created = await client.create({_id: 'person-a', _type: 'person', name: 'كريستيان جيمس', _rev: 'client-rev'})
    expect(created._id).toBe('person-a')
    expect(created._rev).not.toBe('client-rev')
    expect(created._createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/)
    expect(created._updatedAt).toBe(created._createdAt)

    const read = await client.getDocument('person-a')
    expect(read).toEqual(created)

    const patched = await client.patch('person-a').set({jobTitle: 'spokesperson'}).commit()
    expect(patched.jobTitle).toBe('spokesperson')
    expect(patched._rev).not.toBe(created._rev)
    expect(patched._createdAt).toBe(created._createdAt)

    const del = await client.delete('person-a')
    expect(del.results).toEqual([{id: 'person-a', operation: 'delete'}])
    expect(await client.getDocument('person-a')).toBeUndefined()
    expect(await client.fetch('*[_id == "person-a"][0]')).toBeNull()
  })

  it('create fails with 409 when the id exists; createIfNotExists is a no-op; createOrReplace replaces', async () => {
    await client.create({_id: 'dup', _type: 'thing', v: 1})
    const err = errorOf(await client.create({_id: 'dup', _type: 'thing', v: 2}).catch((e: unknown) => e))
    expect(err.statusCode).toBe(409)
    expect(err.message).toContain('already exists')
    const kept = await client.createIfNotExists({_id: 'dup', _type: 'thing', v: 3})
    expect(kept.v).toBe(1)
    const replaced = await client.createOrReplace({_id: 'dup', _type: 'thing', w: 4})
    expect(replaced).not.toHaveProperty('v')
    expect(replaced.w).toBe(4)
  })

  it('generates an id when none is given and uses an _id ending in "." as a prefix', async () => {
    const a = await client.create({_type: 'thing'})
    expect(a._id).toMatch(/^[A-Za-z0-9]{22}$/)
    const b = await client.create({_id: 'prefixed.', _type: 'thing'})
    expect(b._id).toMatch(/^prefixed\.[A-Za-z0-9]{22}$/)
  })

  it('applies every patch operation', async () => {
    await client.create({
      _id: 'patchme',
      _type: 'thing',
      title: 'old',
      drop: true,
      count: 10,
      text: 'hello world',
      tags: [{_key: 'a', v: 'a'}, {_key: 'c', v: 'c'}],
    })
    const doc = await client
      .patch('patchme')
      .set({title: 'new', 'nested.deep': 1})
      .setIfMissing({title: 'ignored', fresh: 'yes'})
      .unset(['drop'])
      .inc({count: 5})
      .dec({count: 2})
      .insert('after', 'tags[_key=="a"]', [{_key: 'b', v: 'b'}])
      .diffMatchPatch({text: '@@ -1,5 +1,5 @@\n-hello\n+HELLO\n'})
      .commit()
    expect((doc.tags as Json[]).map((t) => t._key)).toEqual(['a', 'b', 'c'])
    // One patch holds one insert (the client keeps the last), so "before" gets its own.
    const before = await client.patch('patchme').insert('before', 'tags[0]', [{_key: 'z', v: 'z'}]).commit()
    expect((before.tags as Json[]).map((t) => t._key)).toEqual(['z', 'a', 'b', 'c'])
    expect(doc.title).toBe('new')
    expect(doc.nested).toEqual({deep: 1})
    expect(doc.fresh).toBe('yes')
    expect(doc).not.toHaveProperty('drop')
    expect(doc.count).toBe(13)
    expect(doc.text).toBe('HELLO world')

    const replaced = await client.patch('patchme').insert('replace', 'tags[_key=="b"]', [{_key: 'B', v: 'B'}]).commit()
    expect((replaced.tags as Json[]).map((t) => t._key)).toEqual(['z', 'a', 'B', 'c'])
  })

  it('adds missing array _keys with autoGenerateArrayKeys', async () => {
    const doc = await client.create({_id: 'keys', _type: 'thing', list: [{v: 1}, {_key: 'k', v: 2}], plain: [1, 2]}, {autoGenerateArrayKeys: true})
    const list = doc.list as Json[]
    expect(typeof list[0]._key).toBe('string')
    expect(list[1]._key).toBe('k')
    expect(doc.plain).toEqual([1, 2])
  })

  it('patches and deletes by query', async () => {
    await client.transaction().create({_id: 'q1', _type: 'bulk', n: 1}).create({_id: 'q2', _type: 'bulk', n: 2}).commit()
    const res = await client.mutate([{patch: {query: '*[_type == $t]', params: {t: 'bulk'}, set: {seen: true}}}])
    expect(res.results.map((r: {id: string}) => r.id).sort()).toEqual(['q1', 'q2'])
    expect(await client.fetch('*[_type == "bulk" && seen]._id')).toEqual(['q1', 'q2'])
    await client.delete({query: '*[_type == "bulk"]'})
    expect(await client.fetch('count(*[_type == "bulk"])')).toBe(0)
  })

  it('a transaction that fails halfway leaves nothing behind', async () => {
    await client.create({_id: 'existing', _type: 'thing', v: 1})
    const err = errorOf(
      await client
        .transaction()
        .create({_id: 'tx-new', _type: 'thing'})
        .patch('existing', (p) => p.set({v: 2}))
        .create({_id: 'existing', _type: 'thing'})
        .commit()
        .catch((e: unknown) => e),
    )
    expect(err.statusCode).toBe(409)
    expect(await client.getDocument('tx-new')).toBeUndefined()
    expect((await client.getDocument('existing'))?.v).toBe(1)
  })

  it('dryRun reports the result without writing', async () => {
    const res = await client.create({_id: 'dry', _type: 'thing'}, {dryRun: true})
    expect(res._id).toBe('dry')
    expect(await client.getDocument('dry')).toBeUndefined()
  })

  it('rejects a stale ifRevisionID with 409 and accepts the current one', async () => {
    const doc = await client.create({_id: 'revved', _type: 'thing', v: 1})
    await client.patch('revved').set({v: 2}).commit()
    const err = errorOf(await client.patch('revved').ifRevisionId(doc._rev).set({v: 3}).commit().catch((e: unknown) => e))
    expect(err.statusCode).toBe(409)
    expect(err.message).toContain('unexpected revision')
    expect((await client.getDocument('revved'))?.v).toBe(2)
    const current = (await client.getDocument('revved'))!
    const ok = await client.patch('revved').ifRevisionId(current._rev).set({v: 4}).commit()
    expect(ok.v).toBe(4)
  })

  it('enforces strong references from published documents, not from drafts or weak ones', async () => {
    const missing = errorOf(await client.create({_id: 'ref-bad', _type: 'quote', speaker: {_type: 'reference', _ref: 'nobody'}}).catch((e: unknown) => e))
    expect(missing.statusCode).toBe(409)
    expect(missing.message).toContain('nobody')
    await client.create({_id: 'drafts.ref-draft', _type: 'quote', speaker: {_type: 'reference', _ref: 'nobody'}})
    await client.create({_id: 'ref-weak', _type: 'quote', speaker: {_type: 'reference', _ref: 'nobody', _weak: true}})

    await client.transaction().create({_id: 'speaker', _type: 'person'}).create({_id: 'said', _type: 'quote', speaker: {_type: 'reference', _ref: 'speaker'}}).commit()
    const blocked = errorOf(await client.delete('speaker').catch((e: unknown) => e))
    expect(blocked.statusCode).toBe(409)
    expect(blocked.message).toContain('"said"')
    expect(await client.getDocument('speaker')).toMatchObject({_id: 'speaker', _type: 'person'})
    // Deleting both in one transaction is fine: nothing references "speaker" at the end.
    await client.transaction().delete('said').delete('speaker').commit()
    expect(await client.getDocuments(['said', 'speaker'])).toEqual([null, null])
  })
})

describe('perspectives', () => {
  beforeAll(async () => {
    await client
      .transaction()
      .createOrReplace({_id: 'story', _type: 'story', title: 'published'})
      .createOrReplace({_id: 'drafts.story', _type: 'story', title: 'draft'})
      .createOrReplace({_id: 'versions.rSpring.story', _type: 'story', title: 'spring release'})
      .createOrReplace({_id: 'drafts.only-draft', _type: 'story', title: 'only a draft'})
      .commit()
  })

  it('published (the default from v2025-02-19) hides drafts and versions', async () => {
    expect(await client.fetch('*[_type == "story"]{_id, title}')).toEqual([{_id: 'story', title: 'published'}])
    expect(await client.fetch('*[_type == "story"]{_id, title}', {}, {perspective: 'published'})).toEqual([{_id: 'story', title: 'published'}])
  })

  it('raw shows every document and is the default before v2025-02-19', async () => {
    const ids = ['drafts.only-draft', 'drafts.story', 'story', 'versions.rSpring.story']
    expect(await client.fetch('*[_type == "story"]._id', {}, {perspective: 'raw'})).toEqual(ids)
    expect(await lakeClient(lake, {apiVersion: '2021-03-25'}).fetch('*[_type == "story"]._id')).toEqual(ids)
  })

  it('drafts overlays drafts on published documents under the published id', async () => {
    const docs = await client.fetch('*[_type == "story"]{_id, _originalId, title}', {}, {perspective: 'drafts'})
    expect(docs).toEqual([
      {_id: 'only-draft', _originalId: 'drafts.only-draft', title: 'only a draft'},
      {_id: 'story', _originalId: 'drafts.story', title: 'draft'},
    ])
  })

  it('a release stack takes the release first, then drafts, then published', async () => {
    const docs = await client.fetch('*[_type == "story"]{_id, title}', {}, {perspective: ['rSpring', 'drafts']})
    expect(docs).toEqual([
      {_id: 'only-draft', title: 'only a draft'},
      {_id: 'story', title: 'spring release'},
    ])
    const raw = await api('GET', `/v2025-02-19/data/query/production?query=${encodeURIComponent('*[_id=="story"][0].title')}&perspective=rSpring&perspective=drafts`)
    expect(raw.json?.result).toBe('spring release')
  })

  it('rejects raw combined with other perspectives', async () => {
    const res = await api('GET', `/vX/data/query/production?query=*&perspective=raw,drafts`)
    expect(res.status).toBe(400)
  })
})

describe('query and doc endpoints', () => {
  it('answers {query, result, ms}, POST as well as GET, and null for missing documents', async () => {
    const get = await api('GET', `/v1/data/query/production?query=${encodeURIComponent('*[_id == $id][0]')}&%24id=%22missing%22`)
    expect(get.status).toBe(200)
    expect(get.json).toMatchObject({query: '*[_id == $id][0]', result: null})
    expect(typeof get.json?.ms).toBe('number')
    const post = await api('POST', '/v2025-02-19/data/query/production', {body: JSON.stringify({query: '*[_id in $ids]._id', params: {ids: ['story', 'x']}})})
    expect(post.json?.result).toEqual(['story'])
  })

  it('doc endpoint returns documents and omitted ids with a reason', async () => {
    const res = await api('GET', '/v2025-02-19/data/doc/production/story,missing-doc')
    expect(res.status).toBe(200)
    expect((res.json?.documents as Json[]).map((d) => d._id)).toEqual(['story'])
    expect(res.json?.omitted).toEqual([{id: 'missing-doc', reason: 'existence'}])
  })

  it('export streams NDJSON sorted by _id, drafts included, with a types filter', async () => {
    const all = await api('GET', '/v2025-02-19/data/export/production')
    expect(all.status).toBe(200)
    const ids = all.text.trim().split('\n').map((line) => (JSON.parse(line) as Json)._id as string)
    expect(ids).toEqual([...ids].sort())
    expect(ids).toContain('drafts.story')
    const stories = await api('GET', '/v2025-02-19/data/export/production?types=story')
    const types = new Set(stories.text.trim().split('\n').map((line) => (JSON.parse(line) as Json)._type))
    expect([...types]).toEqual(['story'])
  })

  it('answers users/me for the token holder', async () => {
    expect((await client.users.getById('me')).id).toBe('local-lake-user')
  })
})

describe('listen', () => {
  it('delivers welcome and mutation events with a chained previousRev → resultRev', async () => {
    const events: Json[] = []
    let welcomed!: () => void
    const welcome = new Promise<void>((resolve) => (welcomed = resolve))
    const subscription = client
      .listen('*[_type == "counter"]', {}, {events: ['welcome', 'mutation'], includePreviousRevision: true, effectFormat: 'mendoza'})
      .subscribe((event) => {
        if (event.type === 'welcome') welcomed()
        else events.push(event as unknown as Json)
      })
    try {
      await welcome
      const created = await client.create({_id: 'ctr', _type: 'counter', n: 0})
      const p1 = await client.patch('ctr').inc({n: 1}).commit()
      await client.create({_id: 'unrelated', _type: 'other'})
      const p2 = await client.patch('ctr').set({_type: 'not-counter'}).commit()
      const deadline = Date.now() + 5000
      while (events.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
      expect(events.map((e) => e.transition)).toEqual(['appear', 'update', 'disappear'])
      expect(events.map((e) => e.documentId)).toEqual(['ctr', 'ctr', 'ctr'])
      expect(events[0].previousRev).toBeUndefined()
      expect(events[0].resultRev).toBe(created._rev)
      expect(events[1].previousRev).toBe(events[0].resultRev)
      expect(events[1].resultRev).toBe(p1._rev)
      expect(events[2].previousRev).toBe(events[1].resultRev)
      expect(events[2].resultRev).toBe(p2._rev)
      expect((events[1].result as Json).n).toBe(1)
      expect((events[1].previous as Json).n).toBe(0)
      expect(events[1].effects).toEqual({apply: [0, events[1].result], revert: [0, events[1].previous]})
      expect(events[1]).toMatchObject({transactionTotalEvents: 1, transactionCurrentEvent: 1, visibility: 'query', identity: 'local-lake-user'})
      expect(events[1].mutations).toEqual([{patch: {id: 'ctr', inc: {n: 1}}}])
    } finally {
      subscription.unsubscribe()
    }
  })
})

describe('access rules', () => {
  it('anonymous readers see only published, root-path documents, whatever perspective they ask for', async () => {
    const anon = lakeClient(lake, {token: null})
    for (const perspective of ['raw', 'drafts', 'published'] as const) {
      const ids: string[] = await anon.fetch('*[_type == "story"]._id', {}, {perspective})
      expect(ids).toEqual(['story'])
    }
    const doc = await api('GET', '/v2025-02-19/data/doc/production/drafts.story,story', {token: null})
    expect((doc.json?.documents as Json[]).map((d) => d._id)).toEqual(['story'])
    expect(doc.json?.omitted).toEqual([{id: 'drafts.story', reason: 'permission'}])
  })

  it('writes need the token: anonymous gets 403, a wrong token 401', async () => {
    const anon = errorOf(await lakeClient(lake, {token: null}).create({_id: 'nope', _type: 'x'}).catch((e: unknown) => e))
    expect(anon.statusCode).toBe(403)
    const wrong = errorOf(await lakeClient(lake, {token: 'not-the-token'}).create({_id: 'nope', _type: 'x'}).catch((e: unknown) => e))
    expect(wrong.statusCode).toBe(401)
    const wrongRead = await api('GET', '/v1/data/query/production?query=*', {token: 'not-the-token'})
    expect(wrongRead.status).toBe(401)
    expect(wrongRead.json).toMatchObject({statusCode: 401, error: 'Unauthorized'})
    expect(wrongRead.text).not.toContain(lake.token)
    expect(await client.getDocument('nope')).toBeUndefined()
  })

  it('export needs the token (anonymous listen, public documents only: tests/compat/listen.test.ts)', async () => {
    expect((await api('GET', '/v1/data/export/production', {token: null})).status).toBe(401)
  })

  it('never prints the token', () => {
    expect(lake.stdout()).not.toContain(lake.token)
    expect(lake.stderr()).not.toContain(lake.token)
    expect(lake.stdout()).toContain(`${lake.dir}/token`)
  })
})

describe('bad input gets a 4xx in Sanity’s shape and the server keeps serving', () => {
  const mutate = (body: string) => api('POST', '/v2025-02-19/data/mutate/production?returnIds=true', {body})

  it('malformed JSON → 400', async () => {
    const res = await mutate('{"mutations": [')
    expect(res.status).toBe(400)
    expect((res.json?.error as Json).description).toMatch(/not valid JSON/)
    await expectStillServing()
  })

  it('unknown mutation type → 400', async () => {
    const res = await mutate(JSON.stringify({mutations: [{explode: {id: 'x'}}]}))
    expect(res.status).toBe(400)
    expect(res.json?.error).toMatchObject({type: 'mutationError'})
    expect(JSON.stringify(res.json)).toContain('Unknown mutation type')
    await expectStillServing()
  })

  it('invalid _id → 400', async () => {
    for (const id of ['has space', '-leading', 'a..b', 'x'.repeat(129), 'ünïcode']) {
      const res = await mutate(JSON.stringify({mutations: [{create: {_id: id, _type: 'x'}}]}))
      expect(res.status, id).toBe(400)
      expect(JSON.stringify(res.json)).toContain('Malformed document ID')
    }
    await expectStillServing()
  })

  it('GROQ syntax error → 400 queryParseError with its position', async () => {
    const query = '*[_type == "a" &&]'
    const res = await api('GET', `/vX/data/query/production?query=${encodeURIComponent(query)}`)
    expect(res.status).toBe(400)
    expect(res.json?.error).toMatchObject({type: 'queryParseError', query})
    const {start, end} = res.json?.error as {start: number; end: number}
    expect(start).toBeGreaterThanOrEqual(query.indexOf('&&'))
    expect(start).toBeLessThanOrEqual(query.indexOf(']'))
    expect(end).toBeGreaterThan(start)
    await expectStillServing()
  })

  it('a parameter used but not given, or not JSON → 400', async () => {
    const missing = await api('GET', `/vX/data/query/production?query=${encodeURIComponent('*[_id == $id]')}`)
    expect(missing.status).toBe(400)
    expect((missing.json?.error as Json).description).toBe('param $id referenced, but not provided')
    const notJson = await api('GET', `/vX/data/query/production?query=${encodeURIComponent('*[_id == $id]')}&%24id=bare`)
    expect(notJson.status).toBe(400)
    expect((notJson.json?.error as Json).description).toContain('Please quote string values')
    await expectStillServing()
  })

  it('oversized body → 413', async () => {
    const big = JSON.stringify({mutations: [{create: {_id: 'huge', _type: 'x', blob: 'x'.repeat(17 * 1024 * 1024)}}]})
    const res = await mutate(big)
    expect(res.status).toBe(413)
    expect(res.json).toMatchObject({statusCode: 413})
    await expectStillServing()
    expect(await client.getDocument('huge')).toBeUndefined()
  })

  it('patch of a missing document → 404 documentNotFoundError', async () => {
    const err = errorOf(await client.patch('ghost').set({a: 1}).commit().catch((e: unknown) => e))
    expect(err.statusCode).toBe(404)
    expect(err.message).toContain('Document "ghost" not found')
    await expectStillServing()
  })

  it('unknown patch operation, unknown endpoint and unknown dataset → 4xx', async () => {
    const op = await mutate(JSON.stringify({mutations: [{patch: {id: 'story', explode: {a: 1}}}]}))
    expect(op.status).toBe(400)
    expect((await api('GET', '/v1/data/nothing/production')).status).toBe(404)
    expect((await api('GET', '/v1/data/query/staging?query=*')).status).toBe(404)
    expect((await api('GET', '/v1/data/query/production?query=*', {headers: {'x-ignored': '1'}, token: undefined})).status).toBe(200)
    await expectStillServing()
  })
})

describe('TLS', () => {
  it('serves HTTP/2 and HTTP/1.1 over TLS with the same handler', async () => {
    const session = http2.connect(lake.tlsUrl!, {rejectUnauthorized: false})
    try {
      const {status, body, alpn} = await new Promise<{status: number; body: string; alpn: string | false | undefined}>((resolve, reject) => {
        const req = session.request({':path': '/v2025-02-19/data/query/production?query=count(*[_id=="story"])', authorization: `Bearer ${lake.token}`})
        let body = ''
        let status = 0
        req.on('response', (headers) => (status = Number(headers[':status'])))
        req.setEncoding('utf8').on('data', (c: string) => (body += c))
        req.on('end', () => resolve({status, body, alpn: session.alpnProtocol}))
        req.on('error', reject)
        req.end()
      })
      expect(alpn).toBe('h2')
      expect(status).toBe(200)
      expect(JSON.parse(body).result).toBe(1)
    } finally {
      session.close()
    }
    const http1 = await new Promise<string>((resolve, reject) => {
      https
        .get(`${lake.tlsUrl}/v1/ping`, {rejectUnauthorized: false}, (res) => {
          let body = ''
          res.setEncoding('utf8').on('data', (c: string) => (body += c))
          res.on('end', () => resolve(body))
        })
        .on('error', reject)
    })
    expect(http1).toBe('PONG')
  })
})
