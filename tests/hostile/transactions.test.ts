// Reused transaction ids (issue 8, item 7): documents take the transaction id as their `_rev`, so
// a second transaction under an old id gave different content an old revision, and a stale
// `ifRevisionID` passed. One id must name one transaction only, across restarts and compaction.
import fs from 'node:fs'
import path from 'node:path'
import type {SanityClient} from '@sanity/client'
import {afterAll, describe, expect, it} from 'vitest'
import {compactionDone, lakeClient, lakeRequest, makeTempDir, removeTempDirs, runScript, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

/** What the lake answered to a failed @sanity/client call: status and Sanity's error body. */
async function failure(promise: Promise<unknown>): Promise<{status: number; type: unknown; description: string}> {
  const err = (await promise.then(
    () => {
      throw new Error('expected the lake to refuse')
    },
    (e: unknown) => e,
  )) as {statusCode?: number; response?: {body?: {error?: {type?: unknown; description?: string}}}}
  const error = err.response?.body?.error
  return {status: err.statusCode ?? 0, type: error?.type, description: String(error?.description)}
}

async function expectAlive(lake: SpawnedLake): Promise<void> {
  const ping = await lakeRequest(lake, 'GET', '/v2025-02-19/ping', {token: null})
  expect(ping.status).toBe(200)
}

async function expectReuseRefused(client: SanityClient, transactionId: string): Promise<void> {
  const before = await client.fetch('*{_id, _rev, n}', {}, {perspective: 'raw'})
  const answer = await failure(client.transaction().transactionId(transactionId).createOrReplace({_id: 'a', _type: 't', n: 99}).create({_id: 'intruder', _type: 't'}).commit())
  expect(answer.status).toBe(409)
  expect(answer.type).toBe('conflict')
  expect(answer.description).toContain(`Transaction ID "${transactionId}" has already been used`)
  expect(await client.fetch('*{_id, _rev, n}', {}, {perspective: 'raw'})).toEqual(before)
}

describe('transaction ids name one transaction (item 7)', () => {
  it('refuses a reused id with 409 and changes nothing; a stale ifRevisionID still fails', async () => {
    const dir = makeTempDir()
    let lake = await spawnLake({dir})
    let client = lakeClient(lake)
    await client.transaction().transactionId('tx-first').create({_id: 'a', _type: 't', n: 1}).commit()
    const stale = await client.getDocument('a')
    expect(stale?._rev).toBe('tx-first')
    await client.transaction().transactionId('tx-second').patch('a', (p) => p.set({n: 2})).commit()

    // Before: 200, and "a" got _rev "tx-first" back with n = 3.
    await expectReuseRefused(client, 'tx-first')
    await expectReuseRefused(client, 'tx-second')
    // A dry run or a transaction that changes nothing under a used id is refused the same way.
    const dry = await lakeRequest(lake, 'POST', '/v2025-02-19/data/mutate/production?transactionId=tx-first&dryRun=true', {
      body: {mutations: [{createOrReplace: {_id: 'a', _type: 't', n: 5}}]},
    })
    expect(dry.status).toBe(409)
    const noop = await lakeRequest(lake, 'POST', '/v2025-02-19/data/mutate/production?transactionId=tx-first', {
      body: {mutations: [{createIfNotExists: {_id: 'a', _type: 't'}}]},
    })
    expect(noop.status).toBe(409)
    // A writer holding the first revision must still be refused.
    const staleWrite = await failure(client.patch('a').ifRevisionId(stale!._rev).set({n: 4}).commit())
    expect(staleWrite.status).toBe(409)
    expect((await client.getDocument('a'))?.n).toBe(2)

    // The Actions API commits through the same place.
    const action = await lakeRequest(lake, 'POST', '/v2025-02-19/data/actions/production', {
      body: {
        transactionId: 'tx-second',
        actions: [{actionType: 'sanity.action.document.create', publishedId: 'b', attributes: {_id: 'drafts.b', _type: 't'}, ifExists: 'fail'}],
      },
    })
    expect(action.status).toBe(409)
    expect(await client.getDocument('drafts.b')).toBeUndefined()

    // A deleted document's ids: no current _rev holds them, so they must be kept on their own.
    await client.transaction().transactionId('tx-made').create({_id: 'gone', _type: 't'}).commit()
    await client.transaction().transactionId('tx-deleted').delete('gone').commit()
    await expectAlive(lake)
    await lake.stop()

    lake = await spawnLake({dir})
    client = lakeClient(lake)
    for (const id of ['tx-first', 'tx-second', 'tx-made', 'tx-deleted']) await expectReuseRefused(client, id)
    await lake.stop()

    // Compaction moves the log into the snapshot: the ids must come along.
    lake = await spawnLake({dir, env: {LAKE_COMPACT_BYTES: '0'}})
    await compactionDone(lake)
    expect(fs.statSync(path.join(dir, 'transactions.ndjson')).size).toBe(0)
    await lake.stop()
    lake = await spawnLake({dir})
    client = lakeClient(lake)
    for (const id of ['tx-first', 'tx-second', 'tx-made', 'tx-deleted']) await expectReuseRefused(client, id)
    // A fresh id still works, and is taken from then on.
    await client.transaction().transactionId('tx-new').patch('a', (p) => p.set({n: 5})).commit()
    await expectReuseRefused(client, 'tx-new')
    await expectAlive(lake)
    await lake.stop()
  })

  it('refuses a transaction id that an imported document holds as its _rev', async () => {
    const dir = makeTempDir()
    const file = path.join(dir, 'import.ndjson')
    // `npm run lake -- import` keeps each document's _rev (export → import round-trips).
    fs.writeFileSync(file, JSON.stringify({_id: 'a', _type: 't', _rev: 'rev-from-elsewhere', n: 1}) + '\n')
    const imported = await runScript('src/lake/cli.ts', ['import', file], {LAKE_DIR: dir})
    expect(imported.code, imported.stderr).toBe(0)
    const lake = await spawnLake({dir})
    const client = lakeClient(lake)
    expect((await client.getDocument('a'))?._rev).toBe('rev-from-elsewhere')
    await expectReuseRefused(client, 'rev-from-elsewhere')
    await expectAlive(lake)
    await lake.stop()
  })
})
