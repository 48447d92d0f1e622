import {spawn} from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {clientConfigFromEnv} from '../../src/client'
import {lakeClient, makeTempDir, removeTempDirs, stopAllLakes, REPO_ROOT, runScript, spawnLake, type RunResult} from '../helpers/lake'

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

const LAKE_CLI = 'src/lake/cli.ts'

function npmQuery(args: string[], env: Record<string, string>): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn('npm', ['run', '-s', 'query', '--', ...args], {cwd: REPO_ROOT, env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c))
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c))
    proc.once('error', reject)
    proc.once('exit', (code) => resolve({code, stdout, stderr}))
  })
}

const SEED: Array<{_id: string; _type: string; [field: string]: unknown}> = [
  {_id: 'organization-state-department', _type: 'organization', name: 'الخارجية الأميركية', slug: {_type: 'slug', current: 'state-department'}},
  {_id: 'person-christian-james', _type: 'person', name: 'كريستيان جيمس', affiliation: {_type: 'reference', _ref: 'organization-state-department'}},
  {_id: 'drafts.person-christian-james', _type: 'person', name: 'كريستيان جيمس (مسودة)'},
]

describe('import and export (npm run lake -- import|export)', () => {
  it('round-trips byte for byte, and import refuses existing ids unless --replace or --missing', async () => {
    const source = makeTempDir()
    const lake = await spawnLake({dir: source})
    const client = lakeClient(lake)
    const tx = client.transaction()
    for (const doc of SEED) tx.create(doc)
    await tx.commit()
    await client.patch('person-christian-james').set({jobTitle: 'المتحدث باسم الخارجية'}).commit()

    // Import/export take the directory lock, so they refuse while a server owns it.
    const refused = await runScript(LAKE_CLI, ['export', path.join(source, '..', 'x.ndjson')], {LAKE_DIR: source})
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('another lake')
    await lake.stop()

    const work = makeTempDir('lake-files-')
    const first = path.join(work, 'first.ndjson')
    const exported = await runScript(LAKE_CLI, ['export', first], {LAKE_DIR: source})
    expect(exported.code, exported.stderr).toBe(0)
    const lines = fs.readFileSync(first, 'utf8').trimEnd().split('\n')
    expect(lines.map((l) => JSON.parse(l)._id)).toEqual(['drafts.person-christian-james', 'organization-state-department', 'person-christian-james'])
    expect(fs.readFileSync(first, 'utf8')).toContain('كريستيان') // not \u-escaped

    const target = makeTempDir()
    const imported = await runScript(LAKE_CLI, ['import', first], {LAKE_DIR: target})
    expect(imported.code, imported.stderr).toBe(0)
    const second = path.join(work, 'second.ndjson')
    expect((await runScript(LAKE_CLI, ['export', second], {LAKE_DIR: target})).code).toBe(0)
    expect(fs.readFileSync(second)).toEqual(fs.readFileSync(first))

    const again = await runScript(LAKE_CLI, ['import', first], {LAKE_DIR: target})
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('already exist')
    const missing = await runScript(LAKE_CLI, ['import', first, '--missing'], {LAKE_DIR: target})
    expect(missing.stdout).toContain('0 created, 0 replaced, 3 skipped')
    const replaced = await runScript(LAKE_CLI, ['import', first, '--replace'], {LAKE_DIR: target})
    expect(replaced.stdout).toContain('0 created, 3 replaced, 0 skipped')

    const typed = path.join(work, 'people.ndjson')
    await runScript(LAKE_CLI, ['export', typed, '--types', 'person'], {LAKE_DIR: target})
    expect(fs.readFileSync(typed, 'utf8').trimEnd().split('\n')).toHaveLength(2)
  }, 60_000)

  it('rejects a file with a broken line or a dangling strong reference, importing nothing', async () => {
    const work = makeTempDir('lake-files-')
    const target = makeTempDir()
    const broken = path.join(work, 'broken.ndjson')
    fs.writeFileSync(broken, JSON.stringify({_id: 'ok', _type: 't'}) + '\n{"_id": \n')
    const res = await runScript(LAKE_CLI, ['import', broken], {LAKE_DIR: target})
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('broken.ndjson:2')
    const dangling = path.join(work, 'dangling.ndjson')
    fs.writeFileSync(dangling, JSON.stringify({_id: 'q', _type: 'quote', speaker: {_type: 'reference', _ref: 'nobody'}}) + '\n')
    const res2 = await runScript(LAKE_CLI, ['import', dangling], {LAKE_DIR: target})
    expect(res2.code).toBe(1)
    expect(res2.stderr).toContain('non-existent document "nobody"')
    const out = path.join(work, 'out.ndjson')
    await runScript(LAKE_CLI, ['export', out], {LAKE_DIR: target})
    expect(fs.readFileSync(out, 'utf8')).toBe('')
  }, 60_000)
})

describe('npm run query', () => {
  it('prints only JSON on stdout, against an in-process lake and against a running one', async () => {
    const dir = makeTempDir()
    const file = path.join(makeTempDir('lake-files-'), 'seed.ndjson')
    fs.writeFileSync(file, SEED.map((d) => JSON.stringify(d)).join('\n') + '\n')
    expect((await runScript(LAKE_CLI, ['import', file], {LAKE_DIR: dir})).code).toBe(0)

    // No lake answers on this port, so query starts one on LAKE_DIR, in a process of its own.
    const env = {LAKE_DIR: dir, LAKE_PORT: '1', LAKE_TOKEN: ''}
    const q = '*[_type == $type]{_id, name}'
    const published = await npmQuery([q, '--param', 'type="person"'], env)
    expect(published.code, published.stderr).toBe(0)
    expect(JSON.parse(published.stdout)).toEqual([{_id: 'person-christian-james', name: 'كريستيان جيمس'}])
    expect(published.stdout).toContain('كريستيان جيمس')
    expect(published.stdout).not.toContain('\\u')

    const drafts = await npmQuery([q, '--param', 'type="person"', '--perspective', 'drafts'], env)
    expect(JSON.parse(drafts.stdout)).toEqual([{_id: 'person-christian-james', name: 'كريستيان جيمس (مسودة)'}])

    const lake = await spawnLake({dir})
    try {
      const raw = await npmQuery(['count(*)', '--perspective', 'raw'], {LAKE_DIR: dir, LAKE_PORT: String(lake.port), LAKE_TOKEN: ''})
      expect(raw.code, raw.stderr).toBe(0)
      expect(raw.stdout).toBe('3\n')
    } finally {
      await lake.stop()
    }
  }, 60_000)

  it('fails with exit code 1 on bad GROQ (the query shown with a caret) or half-set env, 2 on bad param JSON', async () => {
    const dir = makeTempDir()
    const file = path.join(makeTempDir('lake-files-'), 'seed.ndjson')
    fs.writeFileSync(file, SEED.map((d) => JSON.stringify(d)).join('\n') + '\n')
    expect((await runScript(LAKE_CLI, ['import', file], {LAKE_DIR: dir})).code).toBe(0)
    const env = {LAKE_DIR: dir, LAKE_PORT: '1', LAKE_TOKEN: ''}
    const bad = await npmQuery(['*[_type == '], env)
    expect(bad.code).toBe(1)
    expect(bad.stdout).toBe('')
    expect(bad.stderr.split('\n').slice(0, 3)).toEqual([expect.stringMatching(/^query: GROQ parse error at line 1, column \d+: /), '*[_type == ', expect.stringMatching(/^ *\^+$/)])
    const json = await npmQuery(['*[_id == $id]', '--param', 'id=bare'], env)
    expect(json.code).toBe(2)
    expect(json.stderr).toMatch(/^query: --param id: "bare" is not JSON/)
    const unbound = await npmQuery(['*[_id == $id]'], env)
    expect(unbound.code).toBe(1)
    expect(unbound.stderr).toBe('query: GROQ parse error at line 1, column 10: param $id referenced, but not provided\n*[_id == $id]\n         ^^^\n')
    for (const [args, extraEnv, expected] of [
      [['*'], {SANITY_PROJECT_ID: 'abc123'}, 'SANITY_API_TOKEN'],
    ] as Array<[string[], Record<string, string>, string]>) {
      const res = await npmQuery(args, {...env, ...extraEnv})
      expect(res.code, args.join(' ')).toBe(1)
      expect(res.stdout).toBe('')
      expect(res.stderr.trim().split('\n')).toHaveLength(1)
      expect(res.stderr).toContain(expected)
    }
  }, 60_000)

  it('says which token to set when a running lake answers but its token is unknown', async () => {
    const lake = await spawnLake()
    try {
      const elsewhere = makeTempDir()
      const res = await npmQuery(['count(*)'], {LAKE_DIR: elsewhere, LAKE_PORT: String(lake.port), LAKE_TOKEN: ''})
      expect(res.code).toBe(1)
      expect(res.stdout).toBe('')
      expect(res.stderr).toContain(`a local lake answers on http://127.0.0.1:${lake.port} but its token is unknown`)
      expect(res.stderr).not.toContain(lake.token)
    } finally {
      await lake.stop()
    }
  }, 60_000)
})

describe('npm run lake', () => {
  it('refuses a LAKE_COMPACT_BYTES that is not a byte count, and leaves the directory usable', async () => {
    const dir = makeTempDir()
    const bad = await runScript(LAKE_CLI, [], {LAKE_DIR: dir, LAKE_PORT: '0', LAKE_TLS_PORT: 'off', LAKE_COMPACT_BYTES: '8MB'})
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('LAKE_COMPACT_BYTES=8MB is not a byte count')
    const lake = await spawnLake({dir})
    expect(lake.port).toBeGreaterThan(0)
    await lake.stop()
  }, 60_000)
})

describe('clientConfigFromEnv', () => {
  it('points at the local lake by default', () => {
    const {target, config, lake} = clientConfigFromEnv({})
    expect(target).toBe('lake')
    expect(config).toMatchObject({projectId: 'local', dataset: 'production', apiHost: 'http://127.0.0.1:7700', useProjectHostname: false, apiVersion: '2025-02-19', useCdn: false})
    expect(config.token).toBeUndefined()
    expect(lake?.dir).toBe(path.resolve('.lake'))
  })

  it('reads LAKE_PORT, LAKE_DIR and LAKE_TOKEN', () => {
    const {config, lake} = clientConfigFromEnv({LAKE_PORT: '7800', LAKE_DIR: '/tmp/x', LAKE_TOKEN: 't'})
    expect(config.apiHost).toBe('http://127.0.0.1:7800')
    expect(config.token).toBe('t')
    expect(lake).toEqual({dir: '/tmp/x', port: 7800})
  })

  it('uses the hosted project when SANITY_* is set, dataset defaulting to production', () => {
    const {target, config} = clientConfigFromEnv({SANITY_PROJECT_ID: 'abc123', SANITY_API_TOKEN: 'sk'})
    expect(target).toBe('hosted')
    expect(config).toMatchObject({projectId: 'abc123', dataset: 'production', token: 'sk', apiVersion: '2025-02-19', useCdn: false})
    expect(config.apiHost).toBeUndefined()
  })

  it('names the missing variable when only some are set', () => {
    expect(() => clientConfigFromEnv({SANITY_API_TOKEN: 'sk'})).toThrow(/SANITY_PROJECT_ID is not set/)
    expect(() => clientConfigFromEnv({SANITY_DATASET: 'x'})).toThrow(/SANITY_PROJECT_ID and SANITY_API_TOKEN are not set/)
    expect(() => clientConfigFromEnv({LAKE_PORT: 'abc'})).toThrow(/LAKE_PORT=abc/)
  })
})
