import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {lakeClient, makeTempDir, removeTempDirs, stopAllLakes, REPO_ROOT, spawnLake, type SpawnedLake} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function exportText(lake: SpawnedLake): Promise<string> {
  const res = await fetch(`${lake.url}/v1/data/export/production`, {headers: {authorization: `Bearer ${lake.token}`}})
  expect(res.status).toBe(200)
  return res.text()
}

describe('one owner per directory', () => {
  it('refuses a second lake on the same directory with a clear error', async () => {
    const first = await spawnLake()
    try {
      const second = await spawnLake({dir: first.dir}).then(
        () => 'started',
        (err: Error) => err.message,
      )
      expect(second).toContain(`another lake (pid ${first.proc.pid}) owns ${first.dir}`)
      expect(second).toContain('set LAKE_DIR')
      expect((await fetch(`${first.url}/v1/ping`)).status).toBe(200)
    } finally {
      await first.stop()
    }
    expect(fs.existsSync(path.join(first.dir, 'lock'))).toBe(false)
  })

  it('takes over the lock of a killed lake', async () => {
    const first = await spawnLake()
    await first.stop('SIGKILL')
    expect(fs.readFileSync(path.join(first.dir, 'lock'), 'utf8').trim()).toBe(String(first.proc.pid))
    const second = await spawnLake({dir: first.dir})
    await second.stop()
  })
})

describe('durability', () => {
  it('restarts to the same state, and cuts a torn last line away', async () => {
    const dir = makeTempDir()
    let lake = await spawnLake({dir})
    const client = lakeClient(lake)
    await client.create({_id: 'a', _type: 't', text: 'نص عربي'})
    await client.patch('a').set({n: 1}).commit()
    await client.create({_id: 'drafts.a', _type: 't'})
    const before = await exportText(lake)
    await lake.stop('SIGKILL')

    const log = path.join(dir, 'transactions.ndjson')
    const intact = fs.readFileSync(log)
    fs.appendFileSync(log, '{"seq":4,"transactionId":"torn","effects":[{"id":"b","doc":{"_id":"b"')
    lake = await spawnLake({dir})
    try {
      expect(await exportText(lake)).toBe(before)
      expect(fs.readFileSync(log)).toEqual(intact)
      expect(lake.stderr()).toContain('torn')
      await lakeClient(lake).create({_id: 'after-torn', _type: 't'})
    } finally {
      await lake.stop()
    }
    lake = await spawnLake({dir})
    try {
      expect(await lakeClient(lake).fetch('*._id', {}, {perspective: 'raw'})).toEqual(['a', 'after-torn', 'drafts.a'])
    } finally {
      await lake.stop()
    }
  })

  it('compacts the log into a snapshot on start without changing the state', async () => {
    const dir = makeTempDir()
    let lake = await spawnLake({dir})
    const client = lakeClient(lake)
    for (let i = 0; i < 5; i++) await client.createOrReplace({_id: `c-${i}`, _type: 't', i})
    await client.delete('c-0')
    const before = await exportText(lake)
    await lake.stop()
    lake = await spawnLake({dir, env: {LAKE_COMPACT_BYTES: '1'}})
    try {
      expect(fs.statSync(path.join(dir, 'transactions.ndjson')).size).toBe(0)
      expect(fs.existsSync(path.join(dir, 'snapshot.ndjson'))).toBe(true)
      expect(await exportText(lake)).toBe(before)
      await lakeClient(lake).create({_id: 'c-new', _type: 't'})
    } finally {
      await lake.stop()
    }
    lake = await spawnLake({dir})
    try {
      expect(await lakeClient(lake).fetch('*._id')).toEqual(['c-1', 'c-2', 'c-3', 'c-4', 'c-new'])
    } finally {
      await lake.stop()
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['snapshot.ndjson', 'token', 'transactions.ndjson'])
  })

  it(
    'loses no acknowledged transaction and applies none partly across 20+ SIGKILLs',
    async () => {
      const dir = makeTempDir()
      let lake = await spawnLake({dir})
      await lakeClient(lake).createIfNotExists({_id: 'counter', _type: 'counter', count: 0})
      const acked = new Set<number>()
      let next = 0
      let kills = 0
      let inFlightAtKill = 0

      try {
        for (let round = 0; round < 20; round++) {
          const client = lakeClient(lake)
          let stopped = false
          let inFlight = 0
          const worker = async () => {
            while (!stopped) {
              const i = next++
              inFlight++
              try {
                await client
                  .transaction()
                  .create({_id: `n-${i}`, _type: 'n', i})
                  .patch('counter', (p) => p.inc({count: 1}))
                  .commit({visibility: 'sync'})
                acked.add(i)
              } catch {
                // The connection died with the server: not acknowledged, may or may not be applied.
              } finally {
                inFlight--
              }
            }
          }
          const workers = Array.from({length: 4}, worker)
          await sleep(60 + Math.random() * 300)
          inFlightAtKill += inFlight
          lake.proc.kill('SIGKILL')
          kills++
          await lake.stop()
          stopped = true
          await Promise.all(workers)

          // Every few rounds, also kill a lake while it starts up (recovery, compaction).
          if (round % 4 === 1) {
            const starting = spawn(process.execPath, ['--import', 'tsx', 'src/lake/cli.ts'], {
              cwd: REPO_ROOT,
              env: {...process.env, LAKE_DIR: dir, LAKE_PORT: '0', LAKE_TLS_PORT: 'off', LAKE_COMPACT_BYTES: '1'},
              stdio: 'ignore',
            })
            await sleep(Math.random() * 600)
            starting.kill('SIGKILL')
            kills++
            await new Promise((resolve) => (starting.exitCode !== null || starting.signalCode !== null ? resolve(null) : starting.once('exit', resolve)))
          }

          lake = await spawnLake({dir, env: round % 3 === 2 ? {LAKE_COMPACT_BYTES: '1'} : {}})
          const check = lakeClient(lake)
          const ids: string[] = await check.fetch('*[_type == "n"]._id')
          const counter = await check.getDocument('counter')
          const present = new Set(ids)
          const lost = [...acked].filter((i) => !present.has(`n-${i}`))
          expect(lost, `acknowledged transactions lost after kill ${kills}`).toEqual([])
          expect(counter?.count, `counter vs n-* documents after kill ${kills}`).toBe(ids.length)
        }
      } finally {
        await lake.stop('SIGKILL') // also on failure: no lake outlives the test
      }
      expect(kills).toBeGreaterThanOrEqual(20)
      expect(acked.size).toBeGreaterThan(100)
      // The kills must have hit transactions in flight, or the test proves little.
      expect(inFlightAtKill).toBeGreaterThan(20)
    },
    120_000,
  )
})
