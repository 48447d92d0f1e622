// The scripts as `npm run` runs them (src/cli/launch.mjs → the compiled bundle), as child processes
// against a real lake: help, argument errors, stdin/stdout, missing and empty lakes, GROQ errors,
// render by slug or id, and copyable seed output.
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import type {SanityClient} from '@sanity/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, lakeRequest, makeTempDir, removeTempDirs, REPO_ROOT, runNpmScript, spawnLake, stopAllLakes, type RunResult, type SpawnedLake} from './helpers/lake'

const NO_HOSTED = {SANITY_PROJECT_ID: '', SANITY_DATASET: '', SANITY_API_TOKEN: '', SANITY_STUDIO_PROJECT_ID: '', LAKE_TOKEN: ''}
const SCRIPTS = ['lake', 'seed', 'query', 'import', 'eval:import', 'render', 'site', 'validate', 'dev'] as const
const INVISIBLE = /[\u2066-\u2069\u200e\u200f\u061c]/

let lake: SpawnedLake
let client: SanityClient
let seeded: RunResult
/** Where nothing listens: a script that looked for a lake there finds none. */
let deadPort: number

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
}

/** The seeded lake, reached over its port. */
const atLake = () => ({...NO_HOSTED, LAKE_DIR: lake.dir, LAKE_PORT: String(lake.port)})
/** No lake answering: the script must work from LAKE_DIR alone. */
const onDir = (dir: string) => ({...NO_HOSTED, LAKE_DIR: dir, LAKE_PORT: String(deadPort)})

beforeAll(async () => {
  deadPort = await freePort()
  lake = await spawnLake()
  client = lakeClient(lake)
  seeded = await runNpmScript('seed', [], atLake(), {timeoutMs: 60_000})
})

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

describe('--help', () => {
  it('prints the usage with examples and does nothing else, for every script', async () => {
    const dir = path.join(makeTempDir('cli-help-'), 'lake')
    for (const name of SCRIPTS) {
      const run = await runNpmScript(name, ['--help'], onDir(dir))
      expect(run.code, `${name}: ${run.stderr}`).toBe(0)
      expect(run.stdout, name).toMatch(/^usage:/)
      expect(run.stdout, name).toMatch(/\nexamples:\n/)
      expect(run.stderr, name).toBe('')
    }
    // Not one of them created the lake it would have used.
    expect(fs.existsSync(dir)).toBe(false)
  })

  it('seed --help leaves the running lake as it was', async () => {
    const before = await client.fetch<number>('count(*)', {}, {perspective: 'raw'})
    const run = await runNpmScript('seed', ['-h'], atLake())
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('usage: npm run seed')
    expect(run.stdout).not.toContain('created:')
    expect(await client.fetch<number>('count(*)', {}, {perspective: 'raw'})).toBe(before)
  })
})

describe('argument errors exit 2 with the usage', () => {
  it('rejects an unknown option in every script', async () => {
    const dir = path.join(makeTempDir('cli-bogus-'), 'lake')
    const cases: Array<[string, string[]]> = [
      ['lake', ['--bogus']],
      ['lake', ['export', 'x.ndjson', '--bogus']],
      ['seed', ['--bogus']],
      ['query', ['count(*)', '--bogus']],
      ['import', ['seed/000_7c4fc380b91d5dac.txt', '--bogus']],
      ['eval:import', ['--bogus']],
      ['render', ['some-slug', '--bogus']],
      ['site', ['--bogus']],
      ['validate', ['--bogus']],
      ['dev', ['--bogus']],
    ]
    for (const [name, args] of cases) {
      const run = await runNpmScript(name, args, onDir(dir))
      expect(run.code, `${name} ${args.join(' ')}: ${run.stderr}`).toBe(2)
      expect(run.stderr, name).toMatch(/^[a-z: ]+: unknown option --bogus\n\nusage:/)
      expect(run.stdout, name).toBe('')
    }
    expect(fs.existsSync(dir)).toBe(false)
  })

  it('checks --perspective by the lake’s rules, and release names against the dataset', async () => {
    for (const [value, message] of [
      ['no good', /--perspective no good: .*expected raw, published, drafts or release names/],
      ['raw,drafts', /--perspective raw,drafts: .*"raw" perspective can not be combined/],
      ['bogus', /no release named "bogus" in this dataset/],
    ] as const) {
      const run = await runNpmScript('query', ['count(*)', '--perspective', value], atLake())
      expect(run.code, value).toBe(2)
      expect(run.stderr, value).toMatch(message)
      expect(run.stderr, value).toContain('usage: npm run -s query')
    }
    // A release that exists (it has a version document) is a perspective like any other.
    const person = await client.fetch<{_id: string; name: string}>('*[_type == "person"][0]{_id, name}')
    await client.createOrReplace({...(await client.getDocument(person._id))!, _id: `versions.rspring.${person._id}`, name: 'اسم الإصدار'})
    const run = await runNpmScript('query', [`*[_id == "${person._id}"][0].name`, '--perspective', 'rspring'], atLake())
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toBe('اسم الإصدار')
    const published = await runNpmScript('query', [`*[_id == "${person._id}"][0].name`], atLake())
    expect(JSON.parse(published.stdout)).toBe(person.name)
  })

  it('checks ports and paths, naming the value', async () => {
    const missing = path.join(makeTempDir('cli-paths-'), 'missing')
    const cases: Array<[string, string[], RegExp]> = [
      ['lake', ['--port', '70000'], /--port 70000: not a port number \(0-65535/],
      ['site', ['--port', 'eighty'], /--port eighty: not a port number/],
      ['lake', ['import', `${missing}.ndjson`], new RegExp(`Cannot read the import file ${missing}\\.ndjson: ENOENT`)],
      ['lake', ['export', `${missing}/out.ndjson`], new RegExp(`the directory of the export file ${missing}: no such directory`)],
      ['render', ['some-slug', '--out', `${missing}/article.html`], new RegExp(`the directory of --out ${missing}: no such directory`)],
      ['eval:import', ['--dir', missing], new RegExp(`--dir ${missing}: no such directory`)],
      ['query', ['count(*)', '--param', 'x=not json'], /--param x: "not json" is not JSON/],
    ]
    for (const [name, args, message] of cases) {
      const run = await runNpmScript(name, args, atLake())
      expect(run.code, `${name} ${args.join(' ')}: ${run.stderr}`).toBe(2)
      expect(run.stderr).toMatch(message)
    }
  })

  it('render --out refuses to overwrite a file git tracks', async () => {
    const readme = path.join(REPO_ROOT, 'README.md')
    const before = fs.readFileSync(readme)
    const run = await runNpmScript('render', ['article-7c4fc380b91d5dac', '--out', readme], atLake())
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(`--out ${readme} is a file tracked by git: refusing to overwrite it`)
    expect(fs.readFileSync(readme).equals(before)).toBe(true)
  })
})

describe('- for stdin and stdout', () => {
  it('lake export - | lake import - copies the dataset; query - reads the query from stdin', async () => {
    const exported = await runNpmScript('lake', ['export', '-'], atLake())
    expect(exported.code, exported.stderr).toBe(0)
    const ids = exported.stdout.trim().split('\n').map((line) => (JSON.parse(line) as {_id: string})._id)
    const expected = await client.fetch<string[]>('*._id', {}, {perspective: 'raw'})
    expect(ids.sort()).toEqual(expected.sort())
    expect(fs.existsSync(path.join(REPO_ROOT, '-'))).toBe(false)

    const copy = path.join(makeTempDir('cli-copy-'), 'lake')
    const imported = await runNpmScript('lake', ['import', '-'], onDir(copy), {input: exported.stdout})
    expect(imported.code, imported.stderr).toBe(0)
    expect(imported.stdout).toContain(`imported stdin into ${copy}: ${expected.length} created`)

    const counted = await runNpmScript('query', ['-', '--perspective', 'raw'], onDir(copy), {input: 'count(*)'})
    expect(counted.stderr).toBe('')
    expect(JSON.parse(counted.stdout)).toBe(expected.length)
  })

  it('render --out - writes the document to stdout', async () => {
    const run = await runNpmScript('render', ['article-7c4fc380b91d5dac', '--out', '-'], atLake())
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/^<!doctype html>\n<html lang="ar" dir="rtl">/)
  })
})

describe('a lake that is missing or empty', () => {
  it('is said to be missing, and not created, by query and render', async () => {
    const dir = path.join(makeTempDir('cli-missing-'), 'typo')
    for (const [name, args] of [
      ['query', ['count(*)']],
      ['render', ['some-slug']],
    ] as const) {
      const run = await runNpmScript(name, [...args], onDir(dir))
      expect(run.code, name).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.stderr).toContain(`${name}: no lake at ${dir} (LAKE_DIR=${dir}), and none answers on http://127.0.0.1:${deadPort}: run npm run seed`)
    }
    expect(fs.existsSync(dir)).toBe(false)
  })

  it('is said to be empty by query and render', async () => {
    const empty = await spawnLake()
    await empty.stop()
    for (const [name, args] of [
      ['query', ['*[_type == "article"]']],
      ['render', ['some-slug']],
    ] as const) {
      const run = await runNpmScript(name, [...args], onDir(empty.dir))
      expect(run.code, name).toBe(1)
      expect(run.stdout).toBe('')
      expect(run.stderr).toBe(`${name}: the lake at ${empty.dir} is empty: run npm run seed (or import documents with npm run lake -- import <file>)\n`)
    }
  })

  it('reads a lake that is not running from its directory, in a process that ends with the script', async () => {
    const dir = makeTempDir('cli-stopped-')
    const other = await spawnLake({dir})
    await lakeClient(other).create({_id: 'article-copy', _type: 'article', headline: 'نسخة'})
    await other.stop()
    const run = await runNpmScript('query', ['*[_type == "article"].headline'], onDir(dir))
    expect(run.stderr).toBe('')
    expect(JSON.parse(run.stdout)).toEqual(['نسخة'])
    // The lake it started has stopped and let go of the directory: it can be served again.
    const again = await spawnLake({dir})
    expect(await lakeClient(again).fetch('count(*)')).toBe(1)
    await again.stop()
  })
})

describe('GROQ errors', () => {
  it('print the query line by line with a caret under the place of the error', async () => {
    const lines = ['*[_type == "article"]{', '  headline,, slug', '}']
    const run = await runNpmScript('query', [lines.join('\n')], atLake())
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    const out = run.stderr.split('\n')
    expect(out[0]).toMatch(/^query: GROQ parse error at line 2, column \d+: /)
    // The query as given, each line on its own, the caret line right under line 2.
    expect(out.slice(1, 3)).toEqual(lines.slice(0, 2))
    expect(out[4]).toBe(lines[2])
    // The caret is under the offset the lake's error names, counted on line 2.
    const answer = await lakeRequest(lake, 'GET', `/v2025-02-19/data/query/production?query=${encodeURIComponent(lines.join('\n'))}`)
    const start = (answer.json?.error as {start: number}).start
    const column = start - (lines[0]!.length + 1)
    expect(column).toBeGreaterThanOrEqual(0)
    expect(column).toBeLessThan(lines[1]!.length)
    expect(out[3]).toBe(`${' '.repeat(column)}^`)
    expect(out[0]).toContain(`column ${column + 1}:`)
  })
})

describe('render', () => {
  it('finds the article by slug or by id, and says what it tried when nothing matches', async () => {
    const {_id, slug} = await client.fetch<{_id: string; slug: string}>('*[_type == "article"][0]{_id, "slug": slug.current}')
    const bySlug = await runNpmScript('render', [slug], atLake())
    const byId = await runNpmScript('render', [_id], atLake())
    expect(bySlug.code, bySlug.stderr).toBe(0)
    expect(byId.stdout).toBe(bySlug.stdout)
    const headline = await client.fetch<string>('*[_id == $id][0].headline', {id: _id})
    expect(bySlug.stdout).toContain(`<title>${headline}</title>`)

    const pasted = `\u2067${slug}\u2069`
    const none = await runNpmScript('render', [pasted], atLake())
    expect(none.code).toBe(1)
    expect(none.stderr).toContain('no published article has the slug or the id "\\u2067')
    expect(none.stderr).toContain('tried slug.current and _id')
    expect(none.stderr).toContain(`without them it reads ${JSON.stringify(slug)}`)
    expect(none.stderr).not.toMatch(INVISIBLE)
  })
})

describe('seed output', () => {
  it('prints the slug and the render command without invisible characters, and isolates Arabic shown for reading', async () => {
    expect(seeded.code, seeded.stderr).toBe(0)
    const slug = await client.fetch<string>('*[_type == "article"][0].slug.current')
    const lines = seeded.stdout.split('\n')
    const slugLine = lines.find((line) => line.startsWith('  slug:'))!
    expect(slugLine).not.toMatch(INVISIBLE)
    expect(slugLine).toBe(`  slug:     ${slug}`)
    const renderLine = lines.find((line) => line.startsWith('Render it:'))!
    expect(renderLine).not.toMatch(INVISIBLE)
    expect(renderLine).toContain(`'${slug}'`)
    const headline = await client.fetch<string>('*[_type == "article"][0].headline')
    expect(lines).toContain(`  headline: \u2067${headline}\u2069`)
  })
})

describe('the launcher', () => {
  it('rebuilds a bundle that is older than its sources', async () => {
    const bundle = path.join(REPO_ROOT, '.build', 'cli', 'query.mjs')
    expect((await runNpmScript('query', ['--help'])).code).toBe(0)
    fs.utimesSync(bundle, new Date(0), new Date(0))
    const run = await runNpmScript('query', ['--help'])
    expect(run.code).toBe(0)
    expect(fs.statSync(bundle).mtimeMs).toBeGreaterThan(Date.now() - 10 * 60_000)
  })
})
