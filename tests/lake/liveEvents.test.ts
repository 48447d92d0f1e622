// The Live Content API's event stream (data/live/events), which the Studio's Presentation tool
// opens through @sanity/client's live.events() and crashes without.
import type {LiveEvent} from '@sanity/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, removeTempDirs, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

let lake: SpawnedLake

beforeAll(async () => {
  lake = await spawnLake()
})

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

/** Runs `act` once welcomed, and collects the stream's events until `act` is done and `done` says so (or 5 s pass). */
function collect(includeDrafts: boolean, token: string | undefined, done: (events: LiveEvent[]) => boolean, act: () => Promise<void>): Promise<LiveEvent[]> {
  const client = lakeClient({url: lake.url, token: token ?? ''})
  const events: LiveEvent[] = []
  let acted = false
  return new Promise((resolve, reject) => {
    const finish = () => {
      clearTimeout(timer)
      subscription.unsubscribe()
      resolve(events)
    }
    const timer = setTimeout(finish, 5_000)
    const check = () => acted && done(events) && finish()
    const subscription = client.live.events({includeDrafts}).subscribe({
      next: (event) => {
        events.push(event)
        if (event.type === 'welcome') {
          act().then(() => {
            acted = true
            check()
          }, reject)
        }
        check()
      },
      error: (err) => {
        clearTimeout(timer)
        reject(err)
      },
    })
  })
}

describe('data/live/events', () => {
  it('welcomes, then sends one message per transaction, its id the transaction id (drafts included with the token)', async () => {
    const writer = lakeClient(lake)
    const ids: string[] = []
    const events = await collect(
      true,
      lake.token,
      (events) => events.filter((e) => e.type === 'message').length >= 2,
      async () => {
        ids.push((await writer.create({_id: 'drafts.live-1', _type: 'article', headline: 'draft'}, {returnDocuments: false})).transactionId)
        ids.push((await writer.create({_id: 'live-2', _type: 'article', headline: 'published'}, {returnDocuments: false})).transactionId)
      },
    )
    expect(events[0]?.type).toBe('welcome')
    const messages = events.filter((e): e is Extract<LiveEvent, {type: 'message'}> => e.type === 'message')
    expect(messages.map((m) => m.id)).toEqual(ids)
    for (const m of messages) expect(m.tags.length).toBeGreaterThan(0)
  })

  it('without includeDrafts, tells of published changes only', async () => {
    const writer = lakeClient(lake)
    let published = ''
    const events = await collect(
      false,
      undefined,
      (events) => events.some((e) => e.type === 'message'),
      async () => {
        await writer.create({_id: 'drafts.live-3', _type: 'article', headline: 'draft only'})
        published = (await writer.create({_id: 'live-4', _type: 'article', headline: 'published'}, {returnDocuments: false})).transactionId
      },
    )
    expect(events.filter((e) => e.type === 'message').map((e) => (e as {id: string}).id)).toEqual([published])
  })

  it('refuses includeDrafts=true without the token, and an unknown dataset', async () => {
    const drafts = await fetch(`${lake.url}/v2025-02-19/data/live/events/production?includeDrafts=true`)
    expect(drafts.status).toBe(401)
    await drafts.body?.cancel()
    const other = await fetch(`${lake.url}/v2025-02-19/data/live/events/other`, {headers: {authorization: `Bearer ${lake.token}`}})
    expect(other.status).toBe(404)
    await other.body?.cancel()
    const ping = await fetch(`${lake.url}/v2025-02-19/ping`)
    expect(ping.status).toBe(200)
  })
})
