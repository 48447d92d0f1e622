// Crash safety, the long way (npm run test:crash): the lake is SIGKILLed over and over while
// several writers commit, while it starts up, and while it writes a snapshot; after each kill no
// acknowledged transaction may be missing and none may be applied in part. Each transaction
// carries its own transactionId, so a writer that lost its answer can resend it: the lake must
// answer 409 if the first attempt was applied and apply it otherwise (exactly once).
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import type {SanityClient} from '@sanity/client'
import {afterAll, describe, expect, it} from 'vitest'
import {lakeClient, makeTempDir, REPO_ROOT, removeTempDirs, runScript, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))
const SNAPSHOT_TMP = 'snapshot.ndjson.tmp'

/** One transaction: document n-i plus one more on the shared counter, so a partial one shows. */
function commitOne(client: SanityClient, i: number): Promise<unknown> {
  return client
    .transaction()
    .transactionId(`t-${i}`)
    .createOrReplace({_id: `n-${i}`, _type: 'n', i})
    .patch('counter', (p) => p.inc({count: 1}))
    .commit({visibility: 'sync'})
}

interface Ledger {
  next: number
  acked: Set<number>
  /** Sent, but the lake died before answering: applied or not. */
  unknown: Set<number>
  inFlightAtKill: number
}

/** Runs `writers` concurrent writers for `ms`, then SIGKILLs the lake and waits for them. */
async function writeThenKill(lake: SpawnedLake, ledger: Ledger, writers: number, ms: number): Promise<void> {
  const client = lakeClient(lake)
  let stopped = false
  let inFlight = 0
  const worker = async () => {
    while (!stopped) {
      const i = ledger.next++
      inFlight++
      try {
        await commitOne(client, i)
        ledger.acked.add(i)
      } catch {
        ledger.unknown.add(i)
      } finally {
        inFlight--
      }
    }
  }
  const running = Array.from({length: writers}, worker)
  await sleep(ms)
  ledger.inFlightAtKill += inFlight
  lake.proc.kill('SIGKILL')
  stopped = true
  await lake.stop()
  await Promise.all(running)
}

/** After a restart: nothing acknowledged lost, nothing partial; unanswered ones resent exactly once. */
async function check(lake: SpawnedLake, ledger: Ledger, what: string): Promise<{resentApplied: number; resentNew: number}> {
  const client = lakeClient(lake)
  const ids = new Set<string>(await client.fetch('*[_type == "n"]._id'))
  const lost = [...ledger.acked].filter((i) => !ids.has(`n-${i}`))
  expect(lost, `acknowledged transactions lost ${what}`).toEqual([])
  expect((await client.getDocument('counter'))?.count, `counter vs n-* documents ${what}`).toBe(ids.size)
  let resentApplied = 0
  let resentNew = 0
  for (const i of ledger.unknown) {
    const outcome = await commitOne(client, i).then(
      () => 200,
      (err: {statusCode?: number; response?: {body?: {error?: {type?: string}}}}) => `${err.statusCode} ${err.response?.body?.error?.type}`,
    )
    if (ids.has(`n-${i}`)) {
      expect(outcome, `resending applied transaction t-${i} ${what}`).toBe('409 conflict')
      resentApplied++
    } else {
      expect(outcome, `resending unapplied transaction t-${i} ${what}`).toBe(200)
      resentNew++
    }
    ledger.acked.add(i)
  }
  ledger.unknown.clear()
  const after = await client.fetch('count(*[_type == "n"])')
  expect((await client.getDocument('counter'))?.count, `counter after resends ${what}`).toBe(after)
  return {resentApplied, resentNew}
}

/** Starts a lake that compacts on start and SIGKILLs it `afterMs` later (or when its snapshot temp file appears). */
async function killDuringStart(dir: string, afterMs: number, whenSnapshotStarts: boolean): Promise<{duringSnapshot: boolean}> {
  const starting = spawn(process.execPath, ['--import', 'tsx', 'src/lake/cli.ts'], {
    cwd: REPO_ROOT,
    env: {...process.env, LAKE_DIR: dir, LAKE_PORT: '0', LAKE_TLS_PORT: 'off', LAKE_COMPACT_BYTES: '0'},
    stdio: 'ignore',
  })
  const exited = new Promise((resolve) => starting.once('exit', resolve))
  const tmp = path.join(dir, SNAPSHOT_TMP)
  const started = Date.now()
  if (whenSnapshotStarts) {
    while (!fs.existsSync(tmp) && starting.exitCode === null && Date.now() - started < 10_000) await sleep(1)
  }
  await sleep(afterMs)
  const duringSnapshot = fs.existsSync(tmp)
  starting.kill('SIGKILL')
  await exited
  return {duringSnapshot}
}

const KILLS = Number(process.env.CRASH_KILLS || 100)

describe('SIGKILL', () => {
  it(`loses no acknowledged transaction and applies none partly across ${KILLS}+ kills with 6 writers`, async () => {
    const began = Date.now()
    const dir = makeTempDir()
    let lake = await spawnLake({dir})
    await lakeClient(lake).createIfNotExists({_id: 'counter', _type: 'counter', count: 0})
    const ledger: Ledger = {next: 0, acked: new Set(), unknown: new Set(), inFlightAtKill: 0}
    let writeKills = 0
    let startKills = 0
    let resentApplied = 0
    let resentNew = 0
    try {
      for (let round = 0; writeKills < KILLS; round++) {
        await writeThenKill(lake, ledger, 6, 40 + Math.random() * 200)
        writeKills++
        // Every fourth round, also kill a lake while it recovers and compacts.
        if (round % 4 === 1) {
          await killDuringStart(dir, Math.random() * 500, false)
          startKills++
        }
        lake = await spawnLake({dir, env: round % 3 === 2 ? {LAKE_COMPACT_BYTES: '0'} : {}})
        const resent = await check(lake, ledger, `after kill ${writeKills + startKills}`)
        resentApplied += resent.resentApplied
        resentNew += resent.resentNew
      }
    } finally {
      await lake.stop('SIGKILL') // also on failure: no lake outlives the test
    }
    const seconds = (Date.now() - began) / 1000
    console.log(
      `SIGKILL loop: ${writeKills} kills with 6 writers + ${startKills} during start-up in ${seconds.toFixed(0)} s; ` +
        `${ledger.acked.size} transactions acknowledged; ${ledger.inFlightAtKill} in flight at the kills; ` +
        `resent after a kill: ${resentApplied} had been applied (409), ${resentNew} had not (applied once)`,
    )
    expect(writeKills).toBeGreaterThanOrEqual(KILLS)
    expect(ledger.acked.size).toBeGreaterThan(KILLS * 5)
    // The kills must have hit transactions in flight, or the test proves little.
    expect(ledger.inFlightAtKill).toBeGreaterThan(KILLS)
    expect(resentApplied + resentNew).toBeGreaterThan(0)
  }, 600_000)

  it('loses nothing when killed while compacting into a snapshot', async () => {
    const began = Date.now()
    const dir = makeTempDir()
    // 20,000 documents of ~1 KB: the snapshot takes long enough to write to be hit.
    const seed = path.join(makeTempDir(), 'seed.ndjson')
    const filler = 'نص '.repeat(300)
    fs.writeFileSync(seed, Array.from({length: 20_000}, (_, i) => JSON.stringify({_id: `bulk-${i}`, _type: 'bulk', filler})).join('\n') + '\n')
    const imported = await runScript('src/lake/cli.ts', ['import', seed], {LAKE_DIR: dir}, 120_000)
    expect(imported.code, imported.stderr).toBe(0)

    let lake = await spawnLake({dir, timeoutMs: 60_000})
    await lakeClient(lake).createIfNotExists({_id: 'counter', _type: 'counter', count: 0})
    const ledger: Ledger = {next: 0, acked: new Set(), unknown: new Set(), inFlightAtKill: 0}
    let kills = 0
    let duringSnapshot = 0
    try {
      for (let round = 0; round < 30; round++) {
        await writeThenKill(lake, ledger, 4, 30 + Math.random() * 120)
        // Half the kills aimed at the snapshot write (once its temp file exists), half anywhere in start-up.
        const aimed = round % 2 === 0
        const hit = await killDuringStart(dir, aimed ? Math.random() * 60 : 200 + Math.random() * 1200, aimed)
        kills += 2
        if (hit.duringSnapshot) duringSnapshot++
        lake = await spawnLake({dir, timeoutMs: 60_000})
        await check(lake, ledger, `after compaction kill ${round + 1}`)
        expect(await lakeClient(lake).fetch('count(*[_type == "bulk"])')).toBe(20_000)
      }
    } finally {
      await lake.stop('SIGKILL')
    }
    console.log(
      `compaction kills: ${kills} kills (${duringSnapshot} while ${SNAPSHOT_TMP} was being written) in ${((Date.now() - began) / 1000).toFixed(0)} s; ` +
        `${ledger.acked.size} transactions acknowledged`,
    )
    expect(duringSnapshot).toBeGreaterThanOrEqual(5)
  }, 600_000)
})
