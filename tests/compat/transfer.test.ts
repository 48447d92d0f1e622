// `npm run lake -- import|export` while the lake runs (over its API, as `sanity dataset
// import|export` talk to hosted Sanity) and on a stopped one (its files), including the .tar.gz
// archives `sanity dataset export` writes (made here by @sanity/export, the library behind that
// command, and by hand with an asset file in it).
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {gzipSync} from 'node:zlib'
import {exportDataset} from '@sanity/export'
import {afterAll, describe, expect, it} from 'vitest'
import {lakeClient, makeTempDir, REPO_ROOT, removeTempDirs, spawnLake, stopAllLakes, type RunResult, type SpawnedLake} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

/** `npm run lake -- <args>` (the same entry point), with `input` on stdin. */
function lakeCli(args: string[], env: Record<string, string>, input?: string | Buffer): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'src/lake/cli.ts'), ...args], {
      cwd: REPO_ROOT,
      env: {...process.env, ...env},
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const timer = setTimeout(() => proc.kill('SIGKILL'), 40_000)
    proc.once('error', reject)
    proc.once('exit', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
    proc.stdin.end(input ?? '')
  })
}

const envOf = (lake: SpawnedLake) => ({LAKE_DIR: lake.dir, LAKE_PORT: String(lake.port)})

/** A ustar archive of `entries`, gzipped, as `sanity dataset export` lays one out. */
function tarGz(entries: Array<{path: string; data: Buffer}>): Buffer {
  const blocks: Buffer[] = []
  for (const entry of entries) {
    const header = Buffer.alloc(512)
    header.write(entry.path, 0, 100, 'utf8')
    header.write('0000644\0', 100)
    header.write('0000000\0', 108)
    header.write('0000000\0', 116)
    header.write(entry.data.length.toString(8).padStart(11, '0') + '\0', 124)
    header.write('00000000000\0', 136)
    header.write('        ', 148)
    header.write('0', 156)
    header.write('ustar\0', 257)
    header.write('00', 263)
    let sum = 0
    for (const byte of header) sum += byte
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148)
    blocks.push(header, entry.data, Buffer.alloc((512 - (entry.data.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return gzipSync(Buffer.concat(blocks))
}

const DOCS: Array<{_id: string; _type: string; [field: string]: unknown}> = [
  // The referrer first: the import must send what it references before it (or with it).
  {_id: 'article-1', _type: 'article', headline: 'خبر', author: {_type: 'reference', _ref: 'person-1'}, _createdAt: '2020-01-02T03:04:05Z'},
  {_id: 'person-1', _type: 'person', name: 'كريستيان جيمس', _createdAt: '2019-01-01T00:00:00Z'},
  {_id: 'drafts.person-1', _type: 'person', name: 'مسودة'},
]
const ndjson = (docs: readonly object[]) => docs.map((d) => JSON.stringify(d)).join('\n') + '\n'

describe('import and export while the lake runs (over its API)', () => {
  it('imports NDJSON from a file and from stdin, keeping _createdAt, with fail / --missing / --replace', async () => {
    const lake = await spawnLake()
    const client = lakeClient(lake)
    const file = path.join(makeTempDir(), 'in.ndjson')
    fs.writeFileSync(file, ndjson(DOCS))
    const first = await lakeCli(['import', file], envOf(lake))
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('3 created, 0 replaced, 0 skipped')
    expect(first.stderr).toContain('going through its API')
    expect(first.stderr).toContain('imported 3/3 documents')
    const article = await client.getDocument('article-1')
    expect(article).toMatchObject({headline: 'خبر', _createdAt: '2020-01-02T03:04:05Z'})
    // Existing ids: refused whole (nothing written), skipped, or replaced, as `sanity dataset import`.
    const again = await lakeCli(['import', file], envOf(lake))
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('3 document(s) already exist')
    const missing = await lakeCli(['import', '-', '--missing'], envOf(lake), ndjson(DOCS))
    expect(missing.code, missing.stderr).toBe(0)
    expect(missing.stdout).toContain('imported stdin into')
    expect(missing.stdout).toContain('0 created, 0 replaced, 3 skipped')
    const changed = DOCS.map((d) => (d._id === 'person-1' ? {...d, name: 'ك. جيمس'} : d))
    const replaced = await lakeCli(['import', '-', '--replace'], envOf(lake), ndjson(changed))
    expect(replaced.stdout).toContain('0 created, 3 replaced, 0 skipped')
    expect((await client.getDocument('person-1'))?.name).toBe('ك. جيمس')
    // A dangling strong reference: nothing is written.
    const dangling = await lakeCli(['import', '-'], envOf(lake), ndjson([{_id: 'a2', _type: 'article', author: {_type: 'reference', _ref: 'nobody'}}]))
    expect(dangling.code).toBe(1)
    expect(dangling.stderr).toContain('references non-existent document "nobody"; nothing was imported')
    expect(await client.getDocument('a2')).toBeUndefined()
    expect((await fetch(`${lake.url}/v1/ping`)).status).toBe(200)
  })

  it('splits a large import into transactions, referenced documents first', async () => {
    const lake = await spawnLake()
    const filler = 'ن'.repeat(50_000) // 100 kB of UTF-8 per document: ~6 MB in all, two transactions
    const docs = Array.from({length: 60}, (_, i) => ({
      _id: `doc-${i}`,
      _type: 'note',
      body: filler,
      // Each references the next, and the last the first: one cycle, which must share a transaction…
      ...(i < 30 ? {next: {_type: 'reference', _ref: `doc-${(i + 1) % 30}`}} : {}),
      // …and the rest reference forwards, across the batch boundary.
      ...(i >= 30 && i < 59 ? {next: {_type: 'reference', _ref: `doc-${i + 1}`}} : {}),
    }))
    const res = await lakeCli(['import', '-'], envOf(lake), ndjson(docs))
    expect(res.code, res.stderr).toBe(0)
    expect(res.stdout).toContain('60 created')
    expect(res.stderr.match(/imported \d+\/60 documents/g)?.length).toBeGreaterThanOrEqual(2)
    expect(await lakeClient(lake).fetch('count(*[_type == "note" && defined(next._ref)])')).toBe(59)
  })

  it('exports to a file and to stdout (- ), while the lake keeps serving', async () => {
    const lake = await spawnLake()
    await lakeClient(lake).transaction().create(DOCS[1]!).create(DOCS[0]!).create(DOCS[2]!).commit()
    const file = path.join(makeTempDir(), 'out.ndjson')
    const toFile = await lakeCli(['export', file], envOf(lake))
    expect(toFile.code, toFile.stderr).toBe(0)
    expect(toFile.stdout).toContain('exported 3 documents')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as {_id: string})
    expect(lines.map((d) => d._id)).toEqual(['article-1', 'drafts.person-1', 'person-1'])
    const toStdout = await lakeCli(['export', '-', '--types', 'person'], envOf(lake))
    expect(toStdout.code, toStdout.stderr).toBe(0)
    expect(toStdout.stdout.trim().split('\n').map((l) => (JSON.parse(l) as {_id: string})._id)).toEqual(['drafts.person-1', 'person-1'])
    expect(toStdout.stderr).toContain('exported 2 documents')
    expect((await fetch(`${lake.url}/v1/ping`)).status).toBe(200)
  })

  it('says what to set when the lake that owns the directory does not answer on LAKE_PORT', async () => {
    const lake = await spawnLake()
    const res = await lakeCli(['export', '-'], {LAKE_DIR: lake.dir, LAKE_PORT: '1'})
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('another lake')
    expect(res.stderr).toContain('set LAKE_PORT')
  })
})

describe('importing `sanity dataset export` archives (.tar.gz with data.ndjson)', () => {
  it('imports an archive written by @sanity/export, into a running lake and into a stopped one', async () => {
    const source = await spawnLake()
    await lakeClient(source).transaction().create(DOCS[1]!).create(DOCS[0]!).create(DOCS[2]!).commit()
    const archive = path.join(makeTempDir(), 'production.tar.gz')
    await exportDataset({client: lakeClient(source), dataset: 'production', outputPath: archive, assets: false, raw: true})
    expect(fs.readFileSync(archive).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))

    const running = await spawnLake()
    const live = await lakeCli(['import', archive], envOf(running))
    expect(live.code, live.stderr).toBe(0)
    expect(live.stdout).toContain('3 created')
    expect(await lakeClient(running).getDocument('article-1')).toMatchObject({headline: 'خبر', _createdAt: '2020-01-02T03:04:05Z'})

    const stopped = makeTempDir()
    const direct = await lakeCli(['import', archive], {LAKE_DIR: stopped})
    expect(direct.code, direct.stderr).toBe(0)
    expect(direct.stdout).toContain(`into ${stopped}: 3 created`)
  })

  it('skips the asset files of an archive and says so; refuses an archive without data.ndjson', async () => {
    const lake = await spawnLake()
    const dir = makeTempDir()
    const archive = path.join(dir, 'with-assets.tar.gz')
    const withAsset = [{_id: 'pic-doc', _type: 'article', image: {_type: 'image', _sanityAsset: 'image@file://./images/abc-10x10.png'}}]
    fs.writeFileSync(
      archive,
      tarGz([
        {path: 'production-export/data.ndjson', data: Buffer.from(ndjson(withAsset))},
        {path: 'production-export/images/abc-10x10.png', data: Buffer.alloc(700, 7)},
        {path: 'production-export/assets.json', data: Buffer.from('{}')},
      ]),
    )
    const res = await lakeCli(['import', '-'], envOf(lake), fs.readFileSync(archive))
    expect(res.code, res.stderr).toBe(0)
    expect(res.stderr).toContain('skipped 1 asset file(s)')
    expect(res.stderr).toContain('1 field(s) pointing at them (_sanityAsset)')
    expect(await lakeClient(lake).getDocument('pic-doc')).toMatchObject({_type: 'article'})
    const empty = path.join(dir, 'empty.tar.gz')
    fs.writeFileSync(empty, tarGz([{path: 'x/readme.txt', data: Buffer.from('hi')}]))
    const refused = await lakeCli(['import', empty], envOf(lake))
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('without a data.ndjson')
  })
})
