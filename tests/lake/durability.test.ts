import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {compactionDone, lakeClient, makeTempDir, removeTempDirs, stopAllLakes, spawnLake, type SpawnedLake} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

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
    expect(fs.readFileSync(path.join(first.dir, 'lock'), 'utf8').split(' ')[0]).toBe(String(first.proc.pid))
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
      await compactionDone(lake)
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
    expect(fs.readdirSync(dir).sort()).toEqual(['history.ndjson', 'snapshot.ndjson', 'token', 'transactions.ndjson'])
  })
  it('compacts after it listens: a write sent at once waits for the compaction, then lands in the emptied log', async () => {
    const dir = makeTempDir()
    let lake = await spawnLake({dir})
    const docs = Array.from({length: 3000}, (_, i) => ({_id: `w-${i}`, _type: 't', text: 'نص عربي للاختبار '.repeat(20), i}))
    const tx = lakeClient(lake).transaction()
    for (const doc of docs) tx.createOrReplace(doc)
    await tx.commit()
    await lake.stop()
    lake = await spawnLake({dir, env: {LAKE_COMPACT_BYTES: '1'}})
    try {
      const written = lakeClient(lake)
        .create({_id: 'during', _type: 't'})
        .then(() => lake.stderr())
      // A read is answered meanwhile, from the documents as they were read at start-up.
      expect(await lakeClient(lake).fetch('count(*)')).toBe(3000)
      const stderrWhenWritten = await written
      expect(stderrWhenWritten).toMatch(/lake: compacted 1 logged transactions into a snapshot/)
      expect(await compactionDone(lake)).toContain('compacted')
      const log = fs.readFileSync(path.join(dir, 'transactions.ndjson'), 'utf8')
      expect(log.split('\n').filter(Boolean)).toHaveLength(1)
      expect(log).toContain('"during"')
      expect(fs.readFileSync(path.join(dir, 'snapshot.ndjson'), 'utf8')).toContain('"_id":"w-2999"')
    } finally {
      await lake.stop()
    }
    lake = await spawnLake({dir})
    try {
      expect(await lakeClient(lake).fetch('count(*)')).toBe(3001)
    } finally {
      await lake.stop()
    }
  })
  // The SIGKILL loop (many kills with concurrent writers, kills during compaction) is in tests/crash: npm run test:crash.
})
