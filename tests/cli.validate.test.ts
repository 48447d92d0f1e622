// npm run validate as a command: help, arguments, stdin, and the dataset of a missing, empty or seeded lake.
// (What the validator finds is tested in validate.test.ts.)
import fs from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import sharp from 'sharp'
import {article, fixtureDocuments} from './fixtures/documents'
import {lakeClient, makeTempDir, removeTempDirs, runNpmScript, spawnLake, stopAllLakes} from './helpers/lake'

const NO_HOSTED = {SANITY_PROJECT_ID: '', SANITY_DATASET: '', SANITY_API_TOKEN: '', LAKE_TOKEN: ''}
// Nothing is expected to listen here; the lake must then be found (or not) in LAKE_DIR.
const NO_PORT = {LAKE_PORT: '9'}

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

describe('npm run validate', () => {
  it('--help prints the usage and reads nothing; an unknown option exits 2 with the usage', async () => {
    const dir = path.join(makeTempDir('validate-help-'), 'lake')
    const help = await runNpmScript('validate', ['--help'], {...NO_HOSTED, ...NO_PORT, LAKE_DIR: dir})
    expect(help.code).toBe(0)
    expect(help.stdout).toMatch(/^usage: npm run -s validate/)
    expect(help.stderr).toBe('')
    const bad = await runNpmScript('validate', ['--strict'], {...NO_HOSTED, ...NO_PORT, LAKE_DIR: dir})
    expect(bad.code).toBe(2)
    expect(bad.stderr).toMatch(/^validate: unknown option --strict\n\nusage: npm run -s validate/)
    expect(fs.existsSync(dir)).toBe(false)
  })

  it('names a file it cannot read, and a directory given as a file (exit 2)', async () => {
    const dir = makeTempDir('validate-files-')
    const missing = await runNpmScript('validate', [path.join(dir, 'nope.ndjson')])
    expect(missing.code).toBe(2)
    expect(missing.stderr).toContain(`Cannot read the file ${path.join(dir, 'nope.ndjson')}: ENOENT (no such file)`)
    const directory = await runNpmScript('validate', [dir])
    expect(directory.code).toBe(2)
    expect(directory.stderr).toContain(`the file ${dir} is a directory, not a file`)
  })

  it('reads NDJSON from stdin for -', async () => {
    const ndjson = fixtureDocuments.map((doc) => JSON.stringify(doc)).join('\n') + '\n'
    const clean = await runNpmScript('validate', ['-'], {}, {input: ndjson})
    expect(clean.code, clean.stdout).toBe(0)
    expect(clean.stderr).toBe(`${fixtureDocuments.length} documents checked, 0 problems.\n`)
    const broken = await runNpmScript('validate', ['-'], {}, {input: `${ndjson}{not json\n`})
    expect(broken.code).toBe(2)
    expect(broken.stderr).toBe(`validate: stdin:${fixtureDocuments.length + 1} is not a JSON document. Each line must hold one document.\n`)
  })

  it('says when the lake is missing or empty instead of checking nothing (exit 2)', async () => {
    const missing = path.join(makeTempDir('validate-missing-'), 'typo')
    const none = await runNpmScript('validate', [], {...NO_HOSTED, ...NO_PORT, LAKE_DIR: missing})
    expect(none.code).toBe(2)
    expect(none.stderr).toMatch(new RegExp(`^validate: no lake at ${missing} \\(LAKE_DIR=${missing}\\).*run npm run seed`))
    expect(fs.existsSync(missing)).toBe(false)

    const empty = await spawnLake()
    await empty.stop()
    const run = await runNpmScript('validate', [], {...NO_HOSTED, ...NO_PORT, LAKE_DIR: empty.dir})
    expect(run.code).toBe(2)
    expect(run.stderr).toBe(`validate: the lake at ${empty.dir} is empty: run npm run seed (or import documents with npm run lake -- import <file>)\n`)
  })

  it('checks the documents of a lake that is not running, from its directory', async () => {
    const lake = await spawnLake()
    const ndjson = fixtureDocuments.map((doc) => JSON.stringify(doc)).join('\n') + '\n'
    await lake.stop()
    const imported = await runNpmScript('lake', ['import', '-'], {LAKE_DIR: lake.dir}, {input: ndjson})
    expect(imported.code, imported.stderr).toBe(0)
    const run = await runNpmScript('validate', [], {...NO_HOSTED, ...NO_PORT, LAKE_DIR: lake.dir})
    expect(run.stderr).toBe(`${fixtureDocuments.length} documents checked, 0 problems.\n`)
    expect(run.code).toBe(0)
  })

  it('resolves references to uploaded images (asset documents are not checked, but they exist)', async () => {
    const lake = await spawnLake()
    const client = lakeClient(lake)
    const png = await sharp({create: {width: 8, height: 6, channels: 3, background: '#c05'}}).png().toBuffer()
    const asset = await client.assets.upload('image', png, {filename: 'photo.png'})
    const withImage = {...article, mainImage: {_type: 'image', asset: {_type: 'reference', _ref: asset._id}, alt: 'صورة'}}
    const tx = client.transaction()
    for (const doc of fixtureDocuments) tx.createOrReplace(doc._id === article._id ? withImage : (doc as {_id: string; _type: string}))
    await tx.commit()
    const run = await runNpmScript('validate', [], {...NO_HOSTED, LAKE_PORT: String(lake.port), LAKE_DIR: lake.dir})
    expect(run.stdout).toBe('')
    expect(run.stderr).toBe(`${fixtureDocuments.length} documents checked, 0 problems.\n`)
    expect(run.code).toBe(0)
  })
})
