import http from 'node:http'
// The unmodified Sanity CLI (`sanity` from @sanity/cli) against the local lake, through
// `npm run sanity` (src/cli/sanity.ts), offline. Each test names the hosted behaviour it mirrors.
import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {importSeedArticle} from '../../seed/article'
import {lakeClient, lakeRequest, makeTempDir, removeTempDirs, REPO_ROOT, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

const CLI_HOSTS = 'api.sanity.io,local.api.sanity.io'

interface CliResult {
  code: number | null
  stdout: string
  stderr: string
}

/** The environment with no hosted project and no CLI token of the machine's own. */
function baseEnv(extra: Record<string, string>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {...process.env, NO_COLOR: '1', FORCE_COLOR: '0'}
  for (const name of ['SANITY_STUDIO_PROJECT_ID', 'SANITY_PROJECT_ID', 'SANITY_AUTH_TOKEN', 'SANITY_API_TOKEN', 'SANITY_DATASET', 'LAKE_TOKEN']) delete env[name]
  return {...env, ...extra}
}

/** `npm run -s sanity -- <args>` in the repository, as a user types it. */
function sanity(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn('npm', ['run', '-s', 'sanity', '--', ...args], {cwd: REPO_ROOT, env: baseEnv(env), stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    const timer = setTimeout(() => {
      proc.kill('SIGKILL')
      reject(new Error(`sanity ${args.join(' ')} did not finish within ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, timeoutMs)
    proc.once('exit', (code) => {
      clearTimeout(timer)
      resolve({code, stdout, stderr})
    })
  })
}

function expectOk(result: CliResult): void {
  if (result.code !== 0) throw new Error(`exit ${result.code}\nstdout: ${result.stdout}\nstderr: ${result.stderr}`)
}

/** A ustar archive, gzipped: what `sanity dataset export` writes (a folder with data.ndjson). */
function tarGz(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = []
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text, 'utf8')
    const header = Buffer.alloc(512)
    const field = (value: string, offset: number, length: number) => header.write(value, offset, length, 'utf8')
    field(name, 0, 100)
    field('0000644\0', 100, 8)
    field('0000000\0', 108, 8)
    field('0000000\0', 116, 8)
    field(data.length.toString(8).padStart(11, '0') + '\0', 124, 12)
    field(Math.floor(Date.now() / 1000).toString(8).padStart(11, '0') + '\0', 136, 12)
    field('        ', 148, 8)
    field('0', 156, 1)
    field('ustar\0', 257, 6)
    field('00', 263, 2)
    let sum = 0
    for (const byte of header) sum += byte
    field(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8)
    blocks.push(header, data, Buffer.alloc((512 - (data.length % 512)) % 512))
  }
  blocks.push(Buffer.alloc(1024))
  return zlib.gzipSync(Buffer.concat(blocks))
}

/** The files in a .tar.gz, by name. */
function untarGz(archive: Buffer): Map<string, string> {
  const tar = zlib.gunzipSync(archive)
  const files = new Map<string, string>()
  for (let offset = 0; offset + 512 <= tar.length; ) {
    const header = tar.subarray(offset, offset + 512)
    if (header.every((b) => b === 0)) break
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '')
    const prefix = header.subarray(345, 500).toString('utf8').replace(/\0.*$/s, '')
    const size = parseInt(header.subarray(124, 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8)
    const type = String.fromCharCode(header[156])
    if (type === '0' || type === '\0') files.set(prefix ? `${prefix}/${name}` : name, tar.subarray(offset + 512, offset + 512 + size).toString('utf8'))
    offset += 512 + Math.ceil(size / 512) * 512
  }
  return files
}

function ndjson(docs: object[]): string {
  return docs.map((doc) => JSON.stringify(doc)).join('\n') + '\n'
}

describe('the Sanity CLI against the lake (npm run sanity)', () => {
  let lake: SpawnedLake
  let lakeEnv: Record<string, string>
  let work: string
  let seedDocuments: Array<{_id: string; _type: string}>

  beforeAll(async () => {
    // Parsed before any connection is open: a long synchronous parse between two requests would
    // leave the client a keep-alive socket the lake has already closed.
    seedDocuments = importSeedArticle().documents
    // A lake as a user runs it (npm run lake or npm run dev): TLS on, nothing else to set.
    lake = await spawnLake({tls: true})
    lakeEnv = {LAKE_DIR: lake.dir, LAKE_PORT: String(lake.port), LAKE_TLS_PORT: String(lake.tlsPort)}
    work = makeTempDir('cli-compat-')
  })

  afterAll(async () => {
    await stopAllLakes()
    removeTempDirs()
  })

  it('documents create makes the document from a JSON file (hosted: data/mutate create on <project>.api.sanity.io)', async () => {
    const file = path.join(work, 'person.json')
    fs.writeFileSync(file, JSON.stringify({_id: 'cli-person-1', _type: 'person', name: 'سامر حداد'}))
    const result = await sanity(['documents', 'create', file], lakeEnv)
    expectOk(result)
    expect(result.stdout).toContain('cli-person-1')
    const doc = await lakeClient(lake).getDocument('cli-person-1')
    expect(doc).toMatchObject({_type: 'person', name: 'سامر حداد'})
  })

  it('documents get prints the document (hosted: data/doc)', async () => {
    const result = await sanity(['documents', 'get', 'cli-person-1'], lakeEnv)
    expectOk(result)
    const doc = JSON.parse(result.stdout) as Record<string, unknown>
    expect(doc).toMatchObject({_id: 'cli-person-1', _type: 'person', name: 'سامر حداد'})
    expect(typeof doc._rev).toBe('string')
  })

  it('documents query runs GROQ with the user token (hosted: data/query; raw perspective before API v2025-02-19)', async () => {
    await lakeClient(lake).createOrReplace({_id: 'drafts.cli-person-1', _type: 'person', name: 'مسودة'})
    // Before v2025-02-19 the default perspective is "raw": the token holder sees the draft too.
    const result = await sanity(['documents', 'query', '*[_type == "person"] | order(_id asc) {_id, name}', '--api-version', 'v2021-06-07'], lakeEnv)
    expectOk(result)
    expect(JSON.parse(result.stdout)).toEqual([
      {_id: 'cli-person-1', name: 'سامر حداد'},
      {_id: 'drafts.cli-person-1', name: 'مسودة'},
    ])
  })

  it('documents delete removes the document (hosted: data/mutate delete)', async () => {
    const result = await sanity(['documents', 'delete', 'drafts.cli-person-1'], lakeEnv)
    expectOk(result)
    expect(result.stdout).toMatch(/Deleted 1 document/)
    expect(await lakeClient(lake).getDocument('drafts.cli-person-1')).toBeUndefined()
  })

  it('dataset list names the dataset (hosted: GET /v…/datasets and /aliases on the project host)', async () => {
    const result = await sanity(['dataset', 'list'], lakeEnv)
    expectOk(result)
    expect(result.stdout.trim().split('\n')).toEqual(['production'])
    // The shape hosted Sanity lists (and @sanity/client types as DatasetsResponse); Vision asks v2025-06-27.
    const listed = await lakeRequest(lake, 'GET', '/v2025-06-27/datasets')
    expect(listed.status).toBe(200)
    expect(listed.json).toEqual([
      {name: 'production', aclMode: expect.any(String), createdAt: expect.any(String), createdByUserId: expect.any(String), addonFor: null, datasetProfile: 'content', features: [], tags: []},
    ])
    expect((await lakeRequest(lake, 'GET', '/v2025-06-27/datasets', {token: null})).status).toBe(401)
    expect((await lakeRequest(lake, 'GET', '/v2025-06-27/datasets/production')).json).toMatchObject({name: 'production'})
    expect((await lakeRequest(lake, 'GET', '/v2025-06-27/datasets/staging')).status).toBe(404)
    expect((await lakeRequest(lake, 'PUT', '/v2025-06-27/datasets/staging', {body: {aclMode: 'public'}})).status).toBe(405)
  })

  it('dataset export writes a .tar.gz with every document (hosted: data/export streamed into <dataset>-export/data.ndjson)', async () => {
    const out = path.join(work, 'export.tar.gz')
    const result = await sanity(['dataset', 'export', 'production', out], lakeEnv)
    expectOk(result)
    const files = untarGz(fs.readFileSync(out))
    const dataFile = [...files.keys()].find((name) => name.endsWith('/data.ndjson'))
    expect(dataFile).toBeDefined()
    const docs = files
      .get(dataFile!)!
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as {_id: string; name?: string})
    expect(docs.map((doc) => doc._id)).toEqual(['cli-person-1'])
    expect(docs[0].name).toBe('سامر حداد')
  })

  it('dataset import reads NDJSON (hosted: batched data/mutate creates)', async () => {
    const file = path.join(work, 'people.ndjson')
    fs.writeFileSync(file, ndjson([
      {_id: 'cli-import-1', _type: 'person', name: 'أول'},
      {_id: 'cli-import-2', _type: 'person', name: 'ثان'},
    ]))
    const result = await sanity(['dataset', 'import', file, '--dataset', 'production'], lakeEnv)
    expectOk(result)
    expect(result.stdout).toMatch(/Imported 2 documents/)
    const names = await lakeClient(lake).fetch<string[]>('*[_id in ["cli-import-1", "cli-import-2"]] | order(_id asc).name')
    expect(names).toEqual(['أول', 'ثان'])
  })

  it('dataset import reads a .tar.gz export and --replace overwrites (hosted: the same, createOrReplace)', async () => {
    const file = path.join(work, 'people.tar.gz')
    fs.writeFileSync(file, tarGz({
      'newsroom-export/data.ndjson': ndjson([
        {_id: 'cli-import-2', _type: 'person', name: 'ثان، معدل'},
        {_id: 'cli-import-3', _type: 'person', name: 'ثالث'},
      ]),
      'newsroom-export/assets.json': '{}',
    }))
    const result = await sanity(['dataset', 'import', file, '--dataset', 'production', '--replace'], lakeEnv)
    expectOk(result)
    expect(result.stdout).toMatch(/Imported 2 documents/)
    const names = await lakeClient(lake).fetch<string[]>('*[_id match "cli-import-*"] | order(_id asc).name')
    expect(names).toEqual(['أول', 'ثان، معدل', 'ثالث'])
  })

  it('exec --with-user-token runs a script whose getCliClient() reads drafts (hosted: the logged-in user token)', async () => {
    await lakeClient(lake).createOrReplace({_id: 'drafts.cli-exec-1', _type: 'person', name: 'مسودة للسكربت'})
    // A script outside the repository, as a user keeps one: ESM, resolving `sanity` from the project.
    const dir = makeTempDir('cli-exec-')
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}\n')
    fs.symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
    const script = path.join(dir, 'read.ts')
    fs.writeFileSync(
      script,
      [
        "import {getCliClient} from 'sanity/cli'",
        "const client = getCliClient({apiVersion: '2025-02-19'})",
        "const draft = await client.fetch('*[_id == $id][0]{_id, name}', {id: 'drafts.cli-exec-1'}, {perspective: 'raw'})",
        'console.log(JSON.stringify({url: client.getUrl("/x"), draft}))',
      ].join('\n'),
    )
    const result = await sanity(['exec', script, '--with-user-token'], lakeEnv)
    expectOk(result)
    const out = JSON.parse(result.stdout.trim().split('\n').pop()!) as {url: string; draft: unknown}
    // The script's client is configured exactly as for the hosted project; only the connection goes to the lake.
    expect(out.url).toBe('https://local.api.sanity.io/v2025-02-19/x')
    expect(out.draft).toEqual({_id: 'drafts.cli-exec-1', name: 'مسودة للسكربت'})
  })

  it('migration run seed-article --no-dry-run writes the seed article (hosted: export, then mutate in transactions)', async () => {
    const documents = seedDocuments
    const article = documents.find((doc) => doc._type === 'article')!
    expect(await lakeClient(lake).getDocument(article._id)).toBeUndefined()
    const result = await sanity(['migration', 'run', 'seed-article', '--no-dry-run', '--no-confirm', '--no-progress'], lakeEnv, 120_000)
    expectOk(result)
    const query = await sanity(['documents', 'query', `*[_type == "article"]._id`, '--api-version', 'v2025-02-19'], lakeEnv)
    expectOk(query)
    expect(JSON.parse(query.stdout)).toEqual([article._id])
    expect(await lakeClient(lake).fetch('count(*[_id in $ids])', {ids: documents.map((doc) => doc._id)})).toBe(documents.length)
  })

  it('runs the CLI untouched for a hosted project, and for the lake trusts its certificate only for the mapped names', async () => {
    const dir = makeTempDir('cli-env-')
    fs.writeFileSync(path.join(dir, 'package.json'), '{"type": "module"}\n')
    const script = path.join(dir, 'env.mjs')
    // localhost on the lake's own TLS port is not a mapped name: the machine's trust store decides, and refuses the self-signed cert.
    fs.writeFileSync(
      script,
      [
        `const tls = await fetch('https://localhost:${lake.tlsPort}/v1/ping').then((r) => 'status ' + r.status, (e) => String(e.cause?.code ?? e.message))`,
        "console.log(JSON.stringify({nodeOptions: process.env.NODE_OPTIONS ?? '', target: process.env.SANITY_LAKE_TLS_TARGET ?? null, token: process.env.SANITY_AUTH_TOKEN ?? null, tls}))",
      ].join('\n'),
    )
    const lastLine = (result: CliResult) => JSON.parse(result.stdout.trim().split('\n').pop()!) as {nodeOptions: string; target: string | null; token: string | null; tls: string}

    const hosted = await sanity(['exec', script], {...lakeEnv, SANITY_PROJECT_ID: 'abc123', SANITY_AUTH_TOKEN: 'hosted-token-of-the-user', DO_NOT_TRACK: '1', NO_UPDATE_NOTIFIER: '1'})
    expectOk(hosted)
    expect(hosted.stderr).not.toContain('started the local lake')
    expect(lastLine(hosted)).toMatchObject({target: null, token: 'hosted-token-of-the-user'})
    expect(lastLine(hosted).nodeOptions).not.toContain('preload')

    const local = await sanity(['exec', script], lakeEnv)
    expectOk(local)
    const env = lastLine(local)
    expect(env.nodeOptions).toContain('preload')
    expect(env.target).toBe(`127.0.0.1:${lake.tlsPort}`)
    expect(env.token).toBe(lake.token)
    expect(env.tls).toMatch(/SELF_SIGNED|self[- ]signed/i)
    // The token is handed over, never printed.
    expect(local.stderr + local.stdout.replace(/"token":"[^"]*"/, '')).not.toContain(lake.token)
  })

  it('starts a lake of its own on LAKE_DIR when none runs, and releases it afterwards', async () => {
    const dir = makeTempDir('cli-own-')
    const result = await sanity(['documents', 'query', '{"count": count(*)}', '--api-version', 'v2025-02-19'], {LAKE_DIR: dir, LAKE_PORT: '1', LAKE_TLS_PORT: '0'})
    expectOk(result)
    expect(result.stderr).toContain(`started the local lake on ${dir}`)
    expect(JSON.parse(result.stdout)).toEqual({count: 0})
    expect(fs.existsSync(path.join(dir, 'lock'))).toBe(false)
    expect(result.stderr).not.toContain(fs.readFileSync(path.join(dir, 'token'), 'utf8').trim())
  })

  it('a lake answers to the CLI host names without LAKE_ALLOWED_HOSTS, and still refuses other names', async () => {
    const plain = await spawnLake({tls: true})
    const result = await sanity(['documents', 'query', '{"n": count(*)}'], {LAKE_DIR: plain.dir, LAKE_PORT: String(plain.port), LAKE_TLS_PORT: String(plain.tlsPort)})
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toEqual({n: 0})
    const statusFor = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const req = http.request({hostname: '127.0.0.1', port: plain.port, path: '/v1/ping', headers: {host}}, (res) => {
          res.resume()
          resolve(res.statusCode ?? 0)
        })
        req.on('error', reject)
        req.end()
      })
    for (const host of CLI_HOSTS.split(',')) expect(await statusFor(host)).toBe(200)
    expect(await statusFor('api.sanity.io.evil.example')).toBe(421)
    expect(await statusFor('evil-api.sanity.io.example')).toBe(421)
    await plain.stop()
  })
})
