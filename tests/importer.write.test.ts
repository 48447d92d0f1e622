// `npm run import -- <dir> --write` against a real lake: documents land through the API, a second run
// creates nothing, editors' changes are kept, and speakers the dataset knows are matched by the
// names and aliases it holds (not only seed/entities.ts).
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import type {SanityClient} from '@sanity/client'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, makeTempDir, removeTempDirs, runScript, spawnLake, stopAllLakes, type SpawnedLake} from './helpers/lake'

const NO_HOSTED = {SANITY_PROJECT_ID: '', SANITY_DATASET: '', SANITY_API_TOKEN: ''}
let lake: SpawnedLake
let client: SanityClient
let dir: string

// a person the newsroom already has in its dataset, known by an alias only the dataset holds
const KNOWN = {
  _id: 'person-known-minister',
  _type: 'person',
  name: 'سامر حداد',
  aliases: ['وزير المالية سامر حداد', 'حداد'],
  slug: {_type: 'slug', current: 'سامر-حداد'},
}

const importDir = (...args: string[]) =>
  runScript('src/cli/import.ts', [dir, '--write', ...args], {...NO_HOSTED, LAKE_DIR: lake.dir, LAKE_PORT: String(lake.port), LAKE_TOKEN: ''}, 60_000)

beforeAll(async () => {
  lake = await spawnLake()
  client = lakeClient(lake)
  await client.createOrReplace(KNOWN)
  dir = path.join(makeTempDir('import-write-'), 'pages')
  mkdirSync(dir)
  writeFileSync(
    path.join(dir, 'a.txt'),
    ['اقتصاد', 'الحكومة تعلن موازنة العام المقبل', 'بغداد - شفق نيوز', 'قال وزير المالية سامر حداد إن العجز سينخفض هذا العام.', 'وأضاف أن الرواتب ستصرف في موعدها.', 'اترك تعليقاً'].join('\n'),
  )
  writeFileSync(
    path.join(dir, 'b.txt'),
    ['الوزيرة: المستشفيات جاهزة', 'قالت وزيرة الصحة ليلى حسن إن المستشفيات جاهزة لاستقبال المرضى.', 'وقال حداد في تصريح منفصل إن التمويل متوفر.', 'المصدر: صحيفة الوطن'].join('\n'),
  )
}, 60_000)

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

describe('import --write', () => {
  let first: Awaited<ReturnType<typeof importDir>>

  it('writes the pages through the API with a summary, and stdout stays empty', async () => {
    first = await importDir()
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toBe('')
    expect(first.stderr).toMatch(/^import: created: +\d+ \(/m)
    expect(first.stderr).toMatch(/^import: \[2\/2\] /m)
    const articles = await client.fetch<Array<{headline: string; sourceAgency?: {_ref: string}}>>('*[_type == "article"] | order(headline asc){headline, sourceAgency}')
    expect(articles.map((a) => a.headline)).toEqual(['الحكومة تعلن موازنة العام المقبل', 'الوزيرة: المستشفيات جاهزة'])
    const outlets = await client.fetch<string[]>('*[_type == "organization" && _id in $ids].name', {ids: articles.map((a) => a.sourceAgency?._ref)})
    expect(outlets.sort()).toEqual(['شفق نيوز', 'صحيفة الوطن'])
  })

  it('matches a speaker the dataset knows by its name and aliases, in both pages', async () => {
    const speakers = await client.fetch<Array<{text: string; speaker: string}>>('*[_type == "quote"] | order(_id asc){text, "speaker": speaker._ref}')
    const bySpeaker = (text: string): string | undefined => speakers.find((q) => q.text === text)?.speaker
    expect(bySpeaker('العجز سينخفض هذا العام')).toBe(KNOWN._id)
    expect(bySpeaker('التمويل متوفر')).toBe(KNOWN._id)
    expect(await client.fetch<number>('count(*[_type == "person" && name == "سامر حداد"])')).toBe(1)
  })

  it('creates nothing on a second run and keeps an editor’s change', async () => {
    const before = await client.fetch<number>('count(*)')
    const quoteId = await client.fetch<string>('*[_type == "quote"][0]._id')
    await client.patch(quoteId).set({text: 'نص عدله المحرر'}).commit()
    const second = await importDir()
    expect(second.code, second.stderr).toBe(0)
    expect(second.stderr).toMatch(/^import: created: +0$/m)
    expect(second.stderr).toMatch(/^import: differs: +1 /m)
    expect(await client.fetch<number>('count(*)')).toBe(before)
    expect(await client.fetch<string>('*[_id == $id][0].text', {id: quoteId})).toBe('نص عدله المحرر')
  })
})
