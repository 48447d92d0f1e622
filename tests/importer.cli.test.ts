// `npm run import -- <page.txt>…`: NDJSON on stdout, nothing written, one-line errors.
import {spawnSync} from 'node:child_process'
import {mkdtempSync, readdirSync, writeFileSync} from 'node:fs'
import {tmpdir} from 'node:os'
import {join} from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import {importPages, parseImportArgs, sourceKeyFromFileName} from '../src/cli/import'
import type {NewsroomDoc} from '../src/content/types'
import {readText} from './helpers/importer'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const SEED = 'seed/000_7c4fc380b91d5dac.txt'
const cli = (...args: string[]) =>
  spawnSync(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/import.ts', ...args], {cwd: ROOT, encoding: 'utf8'})
const parseNdjson = (stdout: string): NewsroomDoc[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as NewsroomDoc)

describe('import CLI', () => {
  it('prints the seed documents as NDJSON with Arabic as-is and writes nothing', () => {
    const before = readdirSync(ROOT).sort()
    const run = cli(SEED)
    expect(run.status).toBe(0)
    const docs = parseNdjson(run.stdout)
    expect(docs.map((d) => d._type)).toEqual([
      ...Array(9).fill('organization'),
      'person',
      ...Array(8).fill('quote'),
      'article',
    ])
    expect(run.stdout).toContain('كريستيان جيمس')
    expect(run.stdout).not.toMatch(/\\u[0-9a-fA-F]{4}/)
    const article = docs.at(-1)
    expect(article?._id).toBe('article-7c4fc380b91d5dac')
    expect(article?._type === 'article' && article.sourceText).toBe(readText(SEED))
    // stderr carries only warnings and notes (each dropped line with its reason, each quote's cue)
    for (const line of run.stderr.split('\n').filter(Boolean)) expect(line).toMatch(/^import: (?:warning|note): /)
    expect(run.stderr).toContain('page chrome dropped (navigation')
    expect(readdirSync(ROOT).sort()).toEqual(before)
  })

  it('refuses a missing file or no file with the usage (exit 2), an empty file with one line (exit 1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-cli-'))
    const empty = join(dir, 'empty.txt')
    writeFileSync(empty, '\n  \n')
    for (const [args, message] of [
      [[join(dir, 'missing.txt')], /^import: .*missing\.txt: no such file or directory\n/],
      [[], /^import: no page file given\n/],
      [[SEED, join(dir, 'missing.txt')], /^import: .*missing\.txt: no such file/],
      [['--bogus', SEED], /^import: unknown option --bogus\n/],
    ] as const) {
      const run = cli(...args)
      expect(run.status).toBe(2)
      expect(run.stdout).toBe('')
      expect(run.stderr).toMatch(message)
      expect(run.stderr).toContain('\nusage: npm run -s import -- ')
    }
    const run = cli(empty)
    expect(run.status).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(`import: ${empty}: the file is empty\n`)
  })

  it('imports several pages, each document once, with new people known to later pages', () => {
    const pages = ['seed/000_7c4fc380b91d5dac.txt', 'tests/fixtures/articles/minister.txt', 'tests/fixtures/articles/minister.txt']
    const {documents} = importPages(pages.map((file) => ({file, text: readText(file)})), 'organization-hawar-news-agency')
    const ids = documents.map((d) => d._id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(documents.filter((d) => d._type === 'article')).toHaveLength(2)
    expect(documents.filter((d) => d._type === 'person' && d.name === 'جان مارك بيرتان')).toHaveLength(1)
  })

  it('prints usage and examples for --help, and reads a directory as its .txt files', () => {
    const help = cli('--help')
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/usage: npm run -s import/)
    expect(help.stdout).toMatch(/--write/)
    expect(help.stdout).toMatch(/examples:/)
    const run = cli('tests/fixtures/articles')
    expect(run.status).toBe(0)
    expect(parseNdjson(run.stdout).filter((d) => d._type === 'article')).toHaveLength(3)
    // several pages: progress lines on stderr, never on stdout
    expect(run.stderr).toMatch(/^import: \[3\/3\] /m)
  })

  it('reads the source key from seed-style file names and the agency from --agency', () => {
    expect(sourceKeyFromFileName('seed/000_7c4fc380b91d5dac.txt')).toBe('7c4fc380b91d5dac')
    expect(sourceKeyFromFileName('page.txt')).toBeUndefined()
    expect(parseImportArgs(['a.txt', '--agency', 'none'])).toEqual({files: ['a.txt'], agency: null, write: false, quiet: false})
    expect(parseImportArgs(['--agency=organization-x', 'a.txt', '--write'])).toEqual({files: ['a.txt'], agency: 'organization-x', write: true, quiet: false})
    expect(parseImportArgs(['a.txt'])).not.toHaveProperty('agency')
    expect(() => parseImportArgs(['--bogus', 'a.txt'])).toThrow(/unknown option/)
  })
})
