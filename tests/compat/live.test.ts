// The Live Content API against the lake, with the real @sanity/client: query answers carry
// `syncTags`, `client.live.events()` streams `message` events whose `tags` name the queries a
// transaction changed, and a reconnecting client resumes from its last event id (or is told to
// `restart`). This is the protocol next-sanity's `defineLive` (`sanityFetch` + `<SanityLive/>`)
// runs on; next-sanity itself is not installed (see docs/lake.md: its dependencies need Node 22).
import type {LiveEvent, SanityClient} from '@sanity/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, removeTempDirs, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

let lake: SpawnedLake
let writer: SanityClient

beforeAll(async () => {
  lake = await spawnLake()
  writer = lakeClient(lake)
  await writer
    .transaction()
    .create({_id: 'org-1', _type: 'organization', name: 'الخارجية'})
    .create({_id: 'person-1', _type: 'person', name: 'كريستيان جيمس', affiliation: {_type: 'reference', _ref: 'org-1'}})
    .create({_id: 'article-1', _type: 'article', headline: 'الأول', author: {_type: 'reference', _ref: 'person-1'}})
    .create({_id: 'quote-1', _type: 'quote', text: 'قال'})
    .commit()
})

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

type Message = Extract<LiveEvent, {type: 'message'}>

/** Subscribes, waits for `welcome`, runs `act`, and collects events until `enough` (or 5 s). */
function during(client: SanityClient, options: {includeDrafts?: boolean}, enough: (events: LiveEvent[]) => boolean, act: () => Promise<void>): Promise<LiveEvent[]> {
  const events: LiveEvent[] = []
  return new Promise((resolve, reject) => {
    let acted = false
    const finish = () => {
      clearTimeout(timer)
      subscription.unsubscribe()
      resolve(events)
    }
    const timer = setTimeout(finish, 5_000)
    const subscription = client.live.events(options).subscribe({
      next: (event) => {
        events.push(event)
        if (event.type === 'welcome') {
          act().then(() => {
            acted = true
            if (enough(events)) finish()
          }, reject)
        } else if (acted && enough(events)) finish()
      },
      error: (err) => {
        clearTimeout(timer)
        reject(err)
      },
    })
  })
}

const messages = (events: LiveEvent[]): Message[] => events.filter((e): e is Message => e.type === 'message')
const intersects = (a: readonly string[], b: readonly string[]) => a.some((tag) => b.includes(tag))

async function tagsOf(client: SanityClient, query: string, params: Record<string, unknown> = {}): Promise<string[]> {
  const res = await client.fetch(query, params, {filterResponse: false})
  expect(Array.isArray(res.syncTags), `syncTags of ${query}`).toBe(true)
  return res.syncTags as string[]
}

describe('syncTags on query answers (hosted: from API v2021-03-25 on, opaque strings)', () => {
  it('answers carry opaque syncTags; v1 answers carry none', async () => {
    const reader = lakeClient(lake, {token: null})
    const res = await reader.fetch('*[_type == "article"]{headline}', {}, {filterResponse: false})
    expect(res.result).toEqual([{headline: 'الأول'}])
    const tags = res.syncTags ?? []
    expect(tags.length).toBeGreaterThan(0)
    for (const tag of tags) {
      expect(tag).toMatch(/^s1:[A-Za-z0-9_-]+$/)
      expect(tag).not.toContain('article')
    }
    const v1 = await lakeClient(lake, {apiVersion: 'v1'}).fetch('*[_type == "article"]', {}, {filterResponse: false})
    expect(v1).not.toHaveProperty('syncTags')
    // A query that reads no document depends on none.
    expect(await tagsOf(reader, '"constant"')).toEqual([])
  })
})

describe('live.events(): a transaction tells the tags of the queries it changes', () => {
  it('a publish matches the queries that read the published type, and not the others', async () => {
    const reader = lakeClient(lake, {token: null})
    const articles = await tagsOf(reader, '*[_type == "article"]{headline}')
    const people = await tagsOf(reader, '*[_type == "person"]{name}')
    const quotes = await tagsOf(reader, 'count(*[_type == "quote"])')
    const withAuthor = await tagsOf(reader, '*[_type == "article"]{headline, "author": author->name}')
    const everything = await tagsOf(reader, 'count(*)')
    const events = await during(reader, {}, (events) => messages(events).length >= 2, async () => {
      // As the Studio publishes: edit a draft, then the publish action.
      await writer.createOrReplace({_id: 'drafts.article-1', _type: 'article', headline: 'الثاني', author: {_type: 'reference', _ref: 'person-1'}})
      await writer.action({actionType: 'sanity.action.document.publish', draftId: 'drafts.article-1', publishedId: 'article-1'})
      await writer.patch('person-1').set({name: 'ك. جيمس'}).commit()
    })
    const [publish, rename] = messages(events)
    // Without includeDrafts the draft write is not told: two messages, the publish and the rename.
    expect(messages(events)).toHaveLength(2)
    expect(intersects(publish!.tags, articles)).toBe(true)
    expect(intersects(publish!.tags, withAuthor)).toBe(true)
    expect(intersects(publish!.tags, everything)).toBe(true)
    expect(intersects(publish!.tags, people)).toBe(false)
    expect(intersects(publish!.tags, quotes)).toBe(false)
    // The rename changes the person list and the articles that dereference the author, not the article list.
    expect(intersects(rename!.tags, people)).toBe(true)
    expect(intersects(rename!.tags, withAuthor)).toBe(true)
    expect(intersects(rename!.tags, articles)).toBe(false)
    // And refetching what a message named gives the new content (as <SanityLive/> then sanityFetch do).
    const refetched = await reader.fetch('*[_type == "article"]{headline, "author": author->name}', {}, {lastLiveEventId: rename!.id})
    expect(refetched).toEqual([{headline: 'الثاني', author: 'ك. جيمس'}])
  })

  it('a document that changes its type is told under both types', async () => {
    const quotes = await tagsOf(writer, '*[_type == "quote"]')
    const notes = await tagsOf(writer, '*[_type == "note"]')
    const events = await during(writer, {}, (events) => messages(events).length >= 1, async () => {
      await writer.createOrReplace({_id: 'quote-1', _type: 'note', text: 'قال'})
    })
    const [message] = messages(events)
    expect(intersects(message!.tags, quotes)).toBe(true)
    expect(intersects(message!.tags, notes)).toBe(true)
  })

  it('with includeDrafts (token holders), draft writes are told, matching draft-perspective queries', async () => {
    const drafts = await tagsOf(writer.withConfig({perspective: 'drafts'}), '*[_type == "article"]{headline}')
    const events = await during(writer, {includeDrafts: true}, (events) => messages(events).length >= 1, async () => {
      await writer.createOrReplace({_id: 'drafts.article-1', _type: 'article', headline: 'مسودة', author: {_type: 'reference', _ref: 'person-1'}})
    })
    expect(intersects(messages(events)[0]!.tags, drafts)).toBe(true)
    // Asking for drafts without a token is refused by the client itself, as hosted requires a token.
    expect(() => lakeClient(lake, {token: null}).live.events({includeDrafts: true})).toThrow(/token/)
  })
})

/** Reads a raw SSE stream (`Last-Event-ID` is what EventSource sends on reconnect) until `count` events. */
async function rawEvents(headers: Record<string, string>, count: number): Promise<Array<{event: string; id?: string; data: string}>> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), 5_000)
  const res = await fetch(`${lake.url}/v2025-02-19/data/live/events/production`, {headers, signal: controller.signal})
  expect(res.status).toBe(200)
  const events: Array<{event: string; id?: string; data: string}> = []
  let buffer = ''
  const decoder = new TextDecoder()
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, {stream: true})
      let end: number
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        const block = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        if (block.startsWith(':')) continue
        const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 2)]))
        events.push({event: fields.event!, id: fields.id, data: fields.data!})
      }
      if (events.length >= count) break
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err
  } finally {
    clearTimeout(timer)
    controller.abort()
  }
  return events
}

describe('resuming with Last-Event-ID (hosted: continue after that event, or `restart` when it is not usable)', () => {
  it('replays what was missed, and says restart for an id it does not know', async () => {
    const [welcome] = await rawEvents({}, 1)
    expect(welcome).toMatchObject({event: 'welcome'})
    expect(welcome!.id).toBeTruthy()
    const first = (await writer.create({_id: 'resume-1', _type: 'article', headline: 'أ'}, {returnDocuments: false})).transactionId
    const second = (await writer.create({_id: 'resume-2', _type: 'article', headline: 'ب'}, {returnDocuments: false})).transactionId
    // From the welcome's position: both; from the first message: the second only.
    const fromWelcome = await rawEvents({'last-event-id': welcome!.id!}, 3)
    expect(fromWelcome.map((e) => [e.event, e.id])).toEqual([['welcome', welcome!.id], ['message', first], ['message', second]])
    const fromFirst = await rawEvents({'last-event-id': first}, 2)
    expect(fromFirst.map((e) => [e.event, e.id])).toEqual([['welcome', first], ['message', second]])
    expect(JSON.parse(fromFirst[1]!.data).tags.length).toBeGreaterThan(0)
    const unknown = await rawEvents({'last-event-id': 'no-such-position'}, 2)
    expect(unknown.map((e) => e.event)).toEqual(['restart', 'welcome'])
    expect(unknown[0]!.id).toBe(second)
  })

  it('after a restart of the lake, an old id gets restart', async () => {
    const own = await spawnLake()
    const client = lakeClient(own)
    const id = (await client.create({_id: 'x', _type: 'article'}, {returnDocuments: false})).transactionId
    await own.stop()
    const again = await spawnLake({dir: own.dir})
    const res = await fetch(`${again.url}/v2025-02-19/data/live/events/production`, {headers: {'last-event-id': id}})
    const reader = res.body!.getReader()
    const {value} = await reader.read()
    await reader.cancel()
    expect(new TextDecoder().decode(value)).toMatch(/^event: restart\n/)
    await again.stop()
  })
})

describe('no missed invalidation: whenever a transaction changes a query’s answer, its message names one of the query’s tags', () => {
  it('holds over queries of every shape and writes of every kind', async () => {
    const own = await spawnLake()
    const client = lakeClient(own)
    await client
      .transaction()
      .create({_id: 'o1', _type: 'organization', name: 'م1'})
      .create({_id: 'p1', _type: 'person', name: 'ش1', org: {_type: 'reference', _ref: 'o1'}})
      .create({_id: 'a1', _type: 'article', headline: 'خ1', author: {_type: 'reference', _ref: 'p1'}, extra: {_type: 'reference', _ref: 'later', _weak: true}})
      .commit()
    const queries: Array<[string, 'published' | 'drafts' | 'raw' | string[]]> = [
      ['*[_type == "article"]{headline}', 'published'],
      ['*[_type == "article"]{headline, "by": author->name, "org": author->org->name, "x": extra->name}', 'published'],
      ['*[_type in ["person", "organization"]] | order(_id) {_id, name}', 'drafts'],
      ['count(*[_type == "person"])', 'raw'],
      ['*[_id == "a1"][0]{headline}', 'published'],
      ['*[_type == "article" && headline match "خ*"]{_id}', 'drafts'],
      ['*[_type == "note"]{_id}', ['spring', 'drafts']],
      ['{"people": *[_type == "person"]{name}, "n": count(*)}', 'published'],
      ['*[references("p1")]{_id}', 'published'],
    ]
    const tx = () => client.transaction()
    const writes: Array<() => Promise<string>> = [
      async () => (await tx().patch('p1', (p) => p.set({name: 'ش2'})).commit()).transactionId,
      async () => (await tx().create({_id: 'drafts.a1', _type: 'article', headline: 'مسودة'}).commit()).transactionId,
      async () => (await tx().create({_id: 'later', _type: 'place', name: 'مكان'}).commit()).transactionId, // a weak ref now resolves
      async () => (await tx().patch('o1', (p) => p.set({name: 'م2'})).commit()).transactionId, // two dereferences away
      async () => (await tx().createOrReplace({_id: 'drafts.p1', _type: 'note', name: 'نوع آخر'}).commit()).transactionId, // a draft of another type
      async () => (await tx().create({_id: 'versions.spring.n1', _type: 'note', name: 'ملاحظة'}).commit()).transactionId,
      async () => (await tx().createOrReplace({_id: 'a1', _type: 'note', headline: 'صار ملاحظة'}).commit()).transactionId, // type change
      async () => (await tx().create({_id: 'a2', _type: 'article', headline: 'خ2', author: {_type: 'reference', _ref: 'p1'}}).commit()).transactionId,
      async () => (await tx().delete('drafts.p1').delete('drafts.a1').commit()).transactionId,
      async () => (await tx().delete('a2').commit()).transactionId,
    ]
    const tagsByTx = new Map<string, string[]>()
    const subscription = client.live.events({includeDrafts: true}).subscribe((event) => {
      if (event.type === 'message') tagsByTx.set(event.id, event.tags)
    })
    try {
      const snapshot = () =>
        Promise.all(queries.map(([query, perspective]) => client.fetch(query, {}, {filterResponse: false, perspective})))
      let before = await snapshot()
      let checked = 0
      for (const write of writes) {
        const id = await write()
        const deadline = Date.now() + 5_000
        while (!tagsByTx.has(id) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
        const told = tagsByTx.get(id)
        expect(told, `a message for transaction ${id}`).toBeDefined()
        const after = await snapshot()
        for (const [i, [query]] of queries.entries()) {
          if (JSON.stringify(after[i]!.result) === JSON.stringify(before[i]!.result)) continue
          checked++
          expect(intersects(told!, before[i]!.syncTags ?? []), `${query} changed but the message does not name it`).toBe(true)
        }
        before = after
      }
      // The writes do change answers: the check above ran.
      expect(checked).toBeGreaterThan(15)
    } finally {
      subscription.unsubscribe()
    }
  })
})
