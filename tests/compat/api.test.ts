// API gaps that real Sanity tools hit, each against a spawned lake with the real @sanity/client
// (or the exact request a tool sends). Each test names the hosted behaviour it mirrors.
import type {MutationEvent, SanityClient} from '@sanity/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, lakeRequest, removeTempDirs, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

let lake: SpawnedLake
let client: SanityClient

beforeAll(async () => {
  lake = await spawnLake()
  client = lakeClient(lake)
  await client.create({_id: 'base', _type: 'article', headline: 'أصل'})
})

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

describe('createVersion (hosted: sanity.action.document.version.create with `document`, or `baseId` + `versionId`)', () => {
  it('creates a release version from a base document, and a draft from a given document', async () => {
    await client.createVersion({baseId: 'base', publishedId: 'base', releaseId: 'spring'})
    expect(await client.getDocument('versions.spring.base')).toMatchObject({_type: 'article', headline: 'أصل'})
    await client.createVersion({document: {_type: 'article', headline: 'مسودة'}, publishedId: 'base'})
    expect(await client.getDocument('drafts.base')).toMatchObject({headline: 'مسودة'})
    // The release shows through its perspective.
    const viaRelease = await client.fetch('*[_id == "base"][0].headline', {}, {perspective: ['spring']})
    expect(viaRelease).toBe('أصل')
    // replaceVersion (version.replace) rewrites an existing version.
    await client.replaceVersion({document: {_id: 'versions.spring.base', _type: 'article', headline: 'ربيع'}})
    expect(await client.fetch('*[_id == "base"][0].headline', {}, {perspective: ['spring']})).toBe('ربيع')
  })

  it('refuses a stale ifBaseRevisionId, a missing base and an existing version, with Sanity’s status codes', async () => {
    const stale = await lakeRequest(lake, 'POST', '/v2025-02-19/data/actions/production', {
      body: {actions: [{actionType: 'sanity.action.document.version.create', publishedId: 'base', baseId: 'base', versionId: 'versions.summer.base', ifBaseRevisionId: 'nope'}]},
    })
    expect(stale.status).toBe(409)
    const missing = await lakeRequest(lake, 'POST', '/v2025-02-19/data/actions/production', {
      body: {actions: [{actionType: 'sanity.action.document.version.create', publishedId: 'nobody', baseId: 'nobody', versionId: 'versions.summer.nobody'}]},
    })
    expect(missing.status).toBe(404)
    await expect(client.createVersion({baseId: 'base', publishedId: 'base', releaseId: 'spring'})).rejects.toMatchObject({statusCode: 409})
  })

  it('release actions get a 400 that names what is not supported', async () => {
    const res = await lakeRequest(lake, 'POST', '/v2025-02-19/data/actions/production', {
      body: {actions: [{actionType: 'sanity.action.release.create', releaseId: 'spring', metadata: {title: 'Spring'}}]},
    })
    expect(res.status).toBe(400)
    expect(JSON.stringify(res.json)).toContain('sanity.action.release.create is not supported')
  })
})

describe('getDocuments (hosted: GET data/doc/<ids>, in the order asked, null for a missing one)', () => {
  it('returns the documents in order', async () => {
    const docs = await client.getDocuments(['base', 'nope', 'versions.spring.base'])
    expect(docs.map((d) => d?._id ?? null)).toEqual(['base', null, 'versions.spring.base'])
  })
})

describe('_createdAt given on create is kept (hosted keeps a declared _createdAt, so imports keep their dates)', () => {
  it('create, createOrReplace and createIfNotExists keep it; _updatedAt and _rev are the server’s', async () => {
    const at = '2019-03-04T05:06:07Z'
    const res = await client
      .transaction()
      .create({_id: 'dated-1', _type: 'article', _createdAt: at})
      .createOrReplace({_id: 'dated-2', _type: 'article', _createdAt: at, _rev: 'mine', _updatedAt: at})
      .createIfNotExists({_id: 'dated-3', _type: 'article', _createdAt: at})
      .commit()
    for (const id of ['dated-1', 'dated-2', 'dated-3']) {
      const doc = await client.getDocument(id)
      expect(doc?._createdAt).toBe(at)
      expect(doc?._rev).toBe(res.transactionId)
      expect(doc?._updatedAt).not.toBe(at)
    }
    // Without one, a replace keeps the existing date.
    await client.createOrReplace({_id: 'dated-1', _type: 'article'})
    expect((await client.getDocument('dated-1'))?._createdAt).toBe(at)
    await expect(client.create({_id: 'dated-4', _type: 'article', _createdAt: 'yesterday'})).rejects.toMatchObject({statusCode: 400})
  })
})

describe('paths with a double slash (@sanity/migrate asks https://<host>//v<version>/data/export/<dataset>)', () => {
  it('//v… is served like /v…', async () => {
    // fetch() would normalise the URL; the raw request line is what migrate's undici sends.
    const {request} = await import('node:http')
    const body = await new Promise<{status: number; text: string}>((resolve, reject) => {
      const req = request(`${lake.url}`, {path: '//v2025-02-19/data/export/production', headers: {authorization: `Bearer ${lake.token}`}}, (res) => {
        let text = ''
        res.setEncoding('utf8').on('data', (c: string) => (text += c))
        res.on('end', () => resolve({status: res.statusCode ?? 0, text}))
      })
      req.on('error', reject)
      req.end()
    })
    expect(body.status).toBe(200)
    expect(body.text.split('\n').filter(Boolean).map((line) => JSON.parse(line)._id)).toContain('base')
  })
})

/** Collects listener events of `listener` while `act` runs (until `count` mutation events, or 5 s). */
function listenDuring(listener: SanityClient, query: string, options: Record<string, unknown>, count: number, act: () => Promise<void>): Promise<MutationEvent[]> {
  const events: MutationEvent[] = []
  return new Promise((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer)
      subscription.unsubscribe()
      resolve(events)
    }
    const timer = setTimeout(finish, 5_000)
    const subscription = listener.listen(query, {}, {...options, events: ['welcome', 'mutation']}).subscribe({
      next: (event) => {
        if (event.type === 'welcome') act().catch(reject)
        else if (event.type === 'mutation') {
          events.push(event)
          if (events.length >= count) finish()
        }
      },
      error: (err) => {
        clearTimeout(timer)
        reject(err)
      },
    })
  })
}

describe('listen', () => {
  it('anonymous listeners hear of public (root-path) documents only, as on a public dataset', async () => {
    const anonymous = lakeClient(lake, {token: null})
    const events = await listenDuring(anonymous, '*[_type == "article"]', {includeResult: true}, 2, async () => {
      await client.create({_id: 'drafts.secret', _type: 'article', headline: 'سر'})
      await client.create({_id: 'public-1', _type: 'article', headline: 'علني'})
      await client.create({_id: 'public-2', _type: 'article', headline: 'علني ٢'})
    })
    expect(events.map((e) => e.documentId)).toEqual(['public-1', 'public-2'])
    expect(JSON.stringify(events)).not.toContain('سر')
  })

  it('anonymous listeners count against the anonymous cap (LAKE_MAX_LISTENERS_ANONYMOUS)', async () => {
    const small = await spawnLake({env: {LAKE_MAX_LISTENERS_ANONYMOUS: '1'}})
    const first = await fetch(`${small.url}/v2025-02-19/data/listen/production?query=*`)
    expect(first.status).toBe(200)
    const second = await fetch(`${small.url}/v2025-02-19/data/listen/production?query=*`)
    expect(second.status).toBe(429)
    await second.body?.cancel()
    // The token holder's listeners are counted apart.
    const withToken = await fetch(`${small.url}/v2025-02-19/data/listen/production?query=*`, {headers: {authorization: `Bearer ${small.token}`}})
    expect(withToken.status).toBe(200)
    await first.body?.cancel()
    await withToken.body?.cancel()
    await small.stop()
  })

  it('events report the visibility asked for (hosted: `transaction` by default there; the lake tells only once queryable, so `query`)', async () => {
    const asked = await listenDuring(client, '*[_id == "vis-1"]', {visibility: 'transaction'}, 1, async () => {
      await client.create({_id: 'vis-1', _type: 'article'})
    })
    expect(asked[0]?.visibility).toBe('transaction')
    const byDefault = await listenDuring(client, '*[_id == "vis-2"]', {}, 1, async () => {
      await client.create({_id: 'vis-2', _type: 'article'})
    })
    expect(byDefault[0]?.visibility).toBe('query')
    const bad = await lakeRequest(lake, 'GET', '/v2025-02-19/data/listen/production?query=*&visibility=later')
    expect(bad.status).toBe(400)
  })
})
