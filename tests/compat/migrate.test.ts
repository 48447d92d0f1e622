// @sanity/migrate 6's programmatic run() against the lake: it exports the dataset from
// `//v<version>/data/export/<dataset>` (a double slash, as hosted Sanity accepts) and writes the
// migration's mutations in transactions, over HTTPS to https://<projectId>.<apiHost>.
// The recipe (tests/compat/fixtures/migrateRun.ts): the lake's certificate in NODE_EXTRA_CA_CERTS,
// project id "127" and apiHost "0.0.1:<tls port>", so that the host run() builds is 127.0.0.1,
// which the certificate names: no DNS, no trust store, no change to the package.
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {lakeClient, removeTempDirs, runScript, spawnLake, stopAllLakes} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

describe('@sanity/migrate run() with the lake as host', () => {
  it('reads every article through the export endpoint and commits the migration', async () => {
    const lake = await spawnLake({tls: true})
    const client = lakeClient(lake)
    await client
      .transaction()
      .create({_id: 'a1', _type: 'article', headline: 'الأول'})
      .create({_id: 'a2', _type: 'article', headline: 'الثاني'})
      .create({_id: 'drafts.a2', _type: 'article', headline: 'مسودة'})
      .create({_id: 'p1', _type: 'person', name: 'جيمس'})
      .commit()
    const res = await runScript('tests/compat/fixtures/migrateRun.ts', [], {
      LAKE_TLS_PORT: String(lake.tlsPort),
      LAKE_TOKEN: lake.token,
      NODE_EXTRA_CA_CERTS: path.join(lake.dir, 'tls-cert.pem'),
    }, 60_000)
    expect(res.code, res.stderr).toBe(0)
    const progress = JSON.parse(res.stdout.trim().split('\n').at(-1)!) as {documents: number; completedTransactions: unknown[]}
    expect(progress.documents).toBe(3)
    expect(progress.completedTransactions.length).toBeGreaterThan(0)
    const migrated = await client.fetch('*[_type == "article"]{_id, migrated} | order(_id)', {}, {perspective: 'raw'})
    expect(migrated).toEqual([
      {_id: 'a1', migrated: 'from الأول'},
      {_id: 'a2', migrated: 'from الثاني'},
      {_id: 'drafts.a2', migrated: 'from مسودة'},
    ])
    expect(await client.fetch('*[_id == "p1"][0].migrated')).toBeNull()
  })
})
