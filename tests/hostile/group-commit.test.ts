// Group commit (issue 10): concurrent writers share an fdatasync. What must not change: a writer's
// answer comes after its transaction is durable and visible (read-your-writes), planning sees the
// transactions still awaiting their fsync (ifRevisionID, reused ids), and when the fsync fails every
// transaction of the batch fails and none of them is ever visible.
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {lakeClient, lakeRequest, makeTempDir, removeTempDirs, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

const MUTATE = '/v2025-02-19/data/mutate/production'

async function expectAlive(lake: SpawnedLake): Promise<void> {
  const started = Date.now()
  const ping = await lakeRequest(lake, 'GET', '/v2025-02-19/ping', {token: null})
  expect(ping.status).toBe(200)
  expect(Date.now() - started).toBeLessThan(1000)
}

describe('group commit', () => {
  it('answers each of 16 concurrent writers only once its transaction is visible, in one consistent order', async () => {
    const lake = await spawnLake()
    const client = lakeClient(lake)
    await client.create({_id: 'counter', _type: 'counter', n: 0})
    const writers = 16
    const perWriter = 25
    const seen: string[] = []
    // Every answer must be readable at once by the writer (read-your-writes), and the counter,
    // incremented by every transaction, must never go backwards or skip an acknowledged one.
    await Promise.all(
      Array.from({length: writers}, async (_, w) => {
        for (let i = 0; i < perWriter; i++) {
          const id = `w${w}-${i}`
          await client.transaction().create({_id: id, _type: 'n', w, i}).patch('counter', (p) => p.inc({n: 1})).commit({visibility: 'sync'})
          const doc = await client.getDocument(id)
          expect(doc?._id, `${id} visible after its answer`).toBe(id)
          seen.push(id)
        }
      }),
    )
    expect(seen.length).toBe(writers * perWriter)
    expect((await client.getDocument('counter'))?.n).toBe(writers * perWriter)
    // The log replays to the same state.
    await lake.stop()
    const again = await spawnLake({dir: lake.dir})
    const after = lakeClient(again)
    expect(await after.fetch('count(*[_type == "n"])')).toBe(writers * perWriter)
    expect((await after.getDocument('counter'))?.n).toBe(writers * perWriter)
    await expectAlive(again)
    await again.stop()
  })

  it('plans on transactions still awaiting their fsync: ifRevisionID on a pending revision passes, a reused id is refused', async () => {
    const lake = await spawnLake()
    const client = lakeClient(lake)
    await client.create({_id: 'doc', _type: 't', n: 0})
    // A burst of transactions sent together: each is planned on the one before, before any is synced.
    const ids = Array.from({length: 20}, (_, i) => `chain-${i}`)
    const answers = await Promise.all(
      ids.map((transactionId, i) =>
        lakeRequest(lake, 'POST', `${MUTATE}?returnDocuments=true`, {
          body: {transactionId, mutations: [{patch: {id: 'doc', ...(i > 0 ? {ifRevisionID: ids[i - 1]} : {}), set: {n: i + 1}}}]},
        }),
      ),
    )
    // They are planned in the order they arrive, which is not always the order they were sent; whatever
    // the order, each ifRevisionID must pass exactly when its predecessor was the transaction planned just before.
    const ok = answers.filter((a) => a.status === 200).length
    expect(ok).toBeGreaterThan(0)
    for (const a of answers) expect([200, 409]).toContain(a.status)
    const doc = await client.getDocument('doc')
    const applied = answers.map((a, i) => (a.status === 200 ? ids[i] : null)).filter((x) => x !== null)
    expect(applied).toContain(doc?._rev)

    // Two transactions under one id, sent together: one is applied, the other gets the 409.
    const twins = await Promise.all(
      [1, 2].map((k) => lakeRequest(lake, 'POST', MUTATE, {body: {transactionId: 'twin', mutations: [{create: {_id: `twin-${k}`, _type: 't'}}]}})),
    )
    expect(twins.map((t) => t.status).sort()).toEqual([200, 409])
    expect(await client.fetch('count(*[_id match "twin-*"])')).toBe(1)
    await expectAlive(lake)
    await lake.stop()
  })

  it('fails every transaction of a batch whose fsync fails, shows none of them, and refuses later writes with a clear 503', async () => {
    const dir = makeTempDir()
    // A log on /dev/null: write() succeeds and fdatasync() fails (EINVAL), a real failure of the call, no mock.
    fs.symlinkSync('/dev/null', path.join(dir, 'transactions.ndjson'))
    const lake = await spawnLake({dir})
    const client = lakeClient(lake)
    const answers = await Promise.all(
      Array.from({length: 8}, (_, i) => lakeRequest(lake, 'POST', MUTATE, {body: {mutations: [{create: {_id: `lost-${i}`, _type: 't'}}]}})),
    )
    for (const a of answers) {
      expect(a.status).toBe(503)
      expect((a.json?.error as {type?: string})?.type).toBe('transactionLogFailed')
      expect(String((a.json?.error as {description?: string})?.description)).toContain('could not be made durable')
    }
    // Never visible, to queries or document reads.
    expect(await client.fetch('count(*)')).toBe(0)
    expect((await lakeRequest(lake, 'GET', '/v2025-02-19/data/doc/production/lost-0')).json?.documents).toEqual([])
    // Later writes are refused, naming what to do; reads and pings go on.
    const later = await lakeRequest(lake, 'POST', MUTATE, {body: {mutations: [{create: {_id: 'later', _type: 't'}}]}})
    expect(later.status).toBe(503)
    expect(String((later.json?.error as {description?: string})?.description)).toMatch(/restart/)
    // The same refusal through the Actions API.
    const action = await lakeRequest(lake, 'POST', '/v2025-02-19/data/actions/production', {
      body: {actions: [{actionType: 'sanity.action.document.create', publishedId: 'p1', attributes: {_type: 't'}}]},
    })
    expect(action.status).toBe(503)
    expect(lake.stderr()).toMatch(/could not be synced/)
    await expectAlive(lake)
    await lake.stop()
  })
})
