import fs from 'node:fs'
import path from 'node:path'
import type {SanityClient} from '@sanity/client'
import {createImageUrlBuilder} from '@sanity/image-url'
import sharp from 'sharp'
import type {Metadata} from 'sharp'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {renderArticle} from '../../src/content/render'
import {siteConfigFromEnv} from '../../src/site/config'
import {startSite} from '../../src/site/server'
import {connectSite} from '../../src/site/source'
import {createGunzip} from 'node:zlib'
import {readTar} from '../../src/lake/tarball'
import {lakeClient, makeTempDir, removeTempDirs, runScript, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'
import {attr, elements, get, NO_HOSTED, textOf} from '../site/helpers'

// The assets API (src/lake/assets.ts): uploads as @sanity/client sends them, sha1 de-duplication,
// refusals that store nothing, and serving with @sanity/image-url's parameters (imageTransform.ts).

const ASSET_LIMIT = 200_000

let lake: SpawnedLake
let client: SanityClient
let anonymous: SanityClient

/** 800×600: left half red, right half blue, so crops show which side they kept. */
async function halves(format: 'jpeg' | 'png' | 'webp'): Promise<Buffer> {
  const width = 800
  const height = 600
  const raw = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3
      if (x < width / 2) raw[i] = 255
      else raw[i + 2] = 255
    }
  }
  return sharp(raw, {raw: {width, height, channels: 3}})[format]().toBuffer()
}

const SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60" fill="#0a0"/></svg>')

function storedFiles(): string[] {
  const out: string[] = []
  for (const folder of ['images', 'files']) {
    const dir = path.join(lake.dir, 'assets', folder)
    if (fs.existsSync(dir)) out.push(...fs.readdirSync(dir).map((f) => `${folder}/${f}`))
  }
  return out.sort()
}

async function assetDocCount(): Promise<number> {
  return client.fetch<number>('count(*[_type in ["sanity.imageAsset", "sanity.fileAsset"]])')
}

async function fetchImage(url: string, init?: RequestInit): Promise<{res: Response; meta: Metadata; bytes: Buffer}> {
  const res = await fetch(url, init)
  expect(res.status, `${url}: ${res.status}`).toBe(200)
  const bytes = Buffer.from(await res.arrayBuffer())
  return {res, meta: await sharp(bytes).metadata(), bytes}
}

/** The [r, g, b] of one pixel. */
async function pixel(bytes: Buffer, x: number, y: number): Promise<number[]> {
  const {data, info} = await sharp(bytes).removeAlpha().raw().toBuffer({resolveWithObject: true})
  const i = (y * info.width + x) * info.channels
  return [data[i], data[i + 1], data[i + 2]]
}

beforeAll(async () => {
  lake = await spawnLake({env: {LAKE_MAX_ASSET_BYTES: String(ASSET_LIMIT)}})
  client = lakeClient(lake)
  anonymous = lakeClient(lake, {token: null})
}, 30_000)

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

describe('uploads', () => {
  let jpegId = ''
  it('stores JPEG, PNG, WebP and SVG images as sanity.imageAsset documents with metadata', async () => {
    for (const [format, bytes, w, h] of [
      ['jpg', await halves('jpeg'), 800, 600],
      ['png', await halves('png'), 800, 600],
      ['webp', await halves('webp'), 800, 600],
      ['svg', SVG, 120, 60],
    ] as const) {
      const doc = await client.assets.upload('image', bytes, {filename: `test.${format}`, title: 'عنوان'})
      expect(doc._type).toBe('sanity.imageAsset')
      expect(doc._id).toMatch(new RegExp(`^image-[0-9a-f]{40}-${w}x${h}-${format}$`))
      expect(doc.sha1hash).toBe(doc.assetId)
      expect(doc.size).toBe(bytes.length)
      expect(doc.originalFilename).toBe(`test.${format}`)
      expect(doc.extension).toBe(format)
      expect(doc.path).toBe(`images/local/production/${doc.assetId}-${w}x${h}.${format}`)
      expect(doc.url).toBe(`${lake.url}/${doc.path}`)
      expect(doc.metadata.dimensions).toMatchObject({width: w, height: h, aspectRatio: w / h})
      expect(doc.metadata.lqip).toMatch(/^data:image\/jpeg;base64,/)
      expect(doc.metadata.palette?.dominant?.background).toMatch(/^#[0-9a-f]{6}$/)
      expect(doc.metadata.blurHash).toMatch(/^[0-9A-Za-z#$%*+,\-.:;=?@[\]^_{|}~]{28,}$/)
      expect(doc.title).toBe('عنوان')
      const file = path.join(lake.dir, 'assets', 'images', `${doc.assetId}-${w}x${h}.${format}`)
      expect(fs.readFileSync(file).equals(bytes)).toBe(true)
      expect(fs.statSync(file).mode & 0o777).toBe(0o600)
      if (format === 'jpg') jpegId = doc._id
    }
    expect(fs.statSync(path.join(lake.dir, 'assets')).mode & 0o777).toBe(0o700)
    expect(fs.statSync(path.join(lake.dir, 'assets', 'images')).mode & 0o777).toBe(0o700)
    expect(await assetDocCount()).toBe(4)
  })

  it('de-duplicates by sha1: the same bytes give the same document and no second copy', async () => {
    const before = storedFiles()
    const again = await client.assets.upload('image', await halves('jpeg'), {filename: 'other-name.jpg'})
    expect(again._id).toBe(jpegId)
    expect(again.originalFilename).toBe('test.jpg')
    expect(storedFiles()).toEqual(before)
    expect(await assetDocCount()).toBe(4)
  })

  it('stores other files as sanity.fileAsset', async () => {
    const doc = await client.assets.upload('file', Buffer.from('%PDF-1.4 not really'), {filename: 'report.pdf', contentType: 'application/pdf'})
    expect(doc._id).toMatch(/^file-[0-9a-f]{40}-pdf$/)
    expect(doc.mimeType).toBe('application/pdf')
    const res = await fetch(doc.url)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-security-policy')).toContain('sandbox')
    expect(await res.text()).toBe('%PDF-1.4 not really')
  })

  it('refuses bad uploads with a 4xx and stores nothing', async () => {
    const files = storedFiles()
    const docs = await assetDocCount()
    const jpeg = await halves('jpeg')
    const png = await halves('png')
    const cases: Array<[string, Buffer, string | undefined, number]> = [
      ['not an image', Buffer.from('hello, this is text'), undefined, 400],
      ['0 bytes', Buffer.alloc(0), undefined, 400],
      ['oversized', Buffer.concat([jpeg, Buffer.alloc(ASSET_LIMIT)]), undefined, 413],
      ['PNG bytes sent as image/jpeg', png, 'image/jpeg', 415],
      ['JPEG bytes sent as image/svg+xml', jpeg, 'image/svg+xml', 415],
      ['broken SVG', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><rect'), undefined, 400],
      ['truncated PNG', png.subarray(0, 40), undefined, 400],
      // 10000×6000 of one colour: a few kB of 1-bit PNG, 60 MP (240 MB) decoded.
      ['decompression bomb', await sharp({create: {width: 10_000, height: 6_000, channels: 3, background: '#fff'}}).png({palette: true, colours: 2}).toBuffer(), undefined, 413],
    ]
    for (const [what, body, contentType, status] of cases) {
      const err = await client.assets.upload('image', body, {filename: 'x', ...(contentType ? {contentType} : {})}).then(
        () => undefined,
        (e: {statusCode?: number}) => e,
      )
      expect(err?.statusCode, what).toBe(status)
      if (what === 'decompression bomb') expect(String((err as {message?: string}).message)).toContain('6000 pixels')
      if (what === 'oversized') expect(String((err as {message?: string}).message)).toContain('LAKE_MAX_ASSET_BYTES')
    }
    const emptyFile = await client.assets.upload('file', Buffer.alloc(0)).then(() => 0, (e: {statusCode?: number}) => e.statusCode)
    expect(emptyFile).toBe(400)
    expect(storedFiles()).toEqual(files)
    expect(await assetDocCount()).toBe(docs)
    // Uploads are received into assets/ (uploadReceive.ts); none is left behind by a refusal.
    for (const dir of ['', 'images', 'files']) expect(fs.readdirSync(path.join(lake.dir, 'assets', dir)).filter((f) => f.endsWith('.tmp'))).toEqual([])
    expect((await fetch(`${lake.url}/v2025-02-19/ping`)).status).toBe(200)
  })

  it('refuses anonymous uploads and a wrong token, storing nothing', async () => {
    const files = storedFiles()
    const status = await anonymous.assets.upload('image', await halves('png')).then(() => 0, (e: {statusCode?: number}) => e.statusCode)
    expect(status).toBe(401)
    const wrong = lakeClient(lake, {token: 'sk-wrong'})
    expect(await wrong.assets.upload('image', SVG).then(() => 0, (e: {statusCode?: number}) => e.statusCode)).toBe(401)
    expect(storedFiles()).toEqual(files)
  })
})

describe('serving with @sanity/image-url', () => {
  let image: {_id: string; url: string}
  let svg: {_id: string; url: string}
  const builder = () => createImageUrlBuilder({projectId: 'local', dataset: 'production', baseUrl: lake.url})

  beforeAll(async () => {
    image = await client.assets.upload('image', await halves('png'), {filename: 'halves.png'})
    svg = await client.assets.upload('image', SVG, {filename: 'g.svg'})
  })

  it('serves the original to anonymous readers, and 404 for unknown assets', async () => {
    const {res, meta} = await fetchImage(image.url)
    expect(res.headers.get('content-type')).toBe('image/png')
    expect(meta.width).toBe(800)
    const missing = await fetch(image.url.replace(/[0-9a-f]{40}/, '0'.repeat(40)))
    expect(missing.status).toBe(404)
    expect((await fetch(`${lake.url}/images/local/production/../token`)).status).toBe(404)
  })

  it('width(400) gives a 400-px-wide image', async () => {
    const url = builder().image(image).width(400).url()
    expect(url).toBe(`${lake.url}/images/local/production/${image._id.slice(6, 46)}-800x600.png?w=400`)
    const {meta} = await fetchImage(url)
    expect([meta.width, meta.height]).toEqual([400, 300])
  })

  it('fit crop with a focal point, rect from the image crop, fill with bg, max, min', async () => {
    const left = builder().image(image).width(200).height(200).fit('crop').crop('focalpoint').focalPoint(0, 0.5).url()
    const l = await fetchImage(left)
    expect([l.meta.width, l.meta.height]).toEqual([200, 200])
    // Covering 200×200 scales to 267×200 (red up to x=133); the focal point at the left edge keeps x 0–200, centred would keep 33–233.
    expect(await pixel(l.bytes, 120, 100)).toEqual([255, 0, 0])
    const centred = await fetchImage(builder().image(image).width(200).height(200).fit('crop').url())
    expect(await pixel(centred.bytes, 120, 100)).toEqual([0, 0, 255])
    const right = builder().image(image).width(200).height(200).fit('crop').crop('right').url()
    // Right edge: keeps x 67–267, so x=80 is source x=147 (blue); centred it would be 113 (red).
    expect(await pixel((await fetchImage(right)).bytes, 80, 100)).toEqual([0, 0, 255])

    // The image's own crop (as the Studio stores it) becomes rect=…: the right half only.
    const cropped = {asset: {_ref: image._id}, crop: {top: 0, bottom: 0, left: 0.5, right: 0}, hotspot: {x: 0.75, y: 0.5, width: 0.5, height: 1}}
    const rectUrl = builder().image(cropped).width(100).height(150).url()
    expect(rectUrl).toContain('rect=400,0,400,600')
    const r = await fetchImage(rectUrl)
    expect([r.meta.width, r.meta.height]).toEqual([100, 150])
    expect(await pixel(r.bytes, 5, 75)).toEqual([0, 0, 255])

    // @sanity/image-url adds rect= to match the box's aspect ratio, so fill's padding is checked on a hand-made URL.
    expect(builder().image(image).width(300).height(300).fit('fill').bg('0f0').url()).toContain('rect=100,0,600,600')
    const fill = await fetchImage(`${image.url}?w=300&h=300&fit=fill&bg=0f0`)
    expect([fill.meta.width, fill.meta.height]).toEqual([300, 300])
    expect(await pixel(fill.bytes, 150, 2)).toEqual([0, 255, 0])

    const max = await fetchImage(builder().image(image).width(2000).fit('max').url())
    expect(max.meta.width).toBe(800)
    const clip = await fetchImage(`${image.url}?w=1000&h=1000&fit=clip`)
    expect([clip.meta.width, clip.meta.height]).toEqual([1000, 750])
    const min = await fetchImage(`${image.url}?w=1600&h=800&fit=min`)
    expect([min.meta.width, min.meta.height]).toEqual([800, 400])
    const dpr = await fetchImage(builder().image(image).width(100).dpr(2).url())
    expect(dpr.meta.width).toBe(200)
  })

  it('format: fm=webp, fm=jpg with quality, auto=format by Accept', async () => {
    const webp = await fetchImage(builder().image(image).width(100).format('webp').url())
    expect(webp.res.headers.get('content-type')).toBe('image/webp')
    expect(webp.meta.format).toBe('webp')
    const low = await fetchImage(builder().image(image).format('jpg').quality(10).url())
    const high = await fetchImage(builder().image(image).format('jpg').quality(95).url())
    expect(low.meta.format).toBe('jpeg')
    expect(low.bytes.length).toBeLessThan(high.bytes.length)
    const auto = builder().image(image).width(50).auto('format').url()
    const negotiated = await fetchImage(auto, {headers: {accept: 'image/webp,image/*'}})
    expect(negotiated.meta.format).toBe('webp')
    expect(negotiated.res.headers.get('vary')).toBe('Accept')
    expect((await fetchImage(auto, {headers: {accept: 'image/png'}})).meta.format).toBe('png')
  })

  it('refuses malformed parameters with 400', async () => {
    // w=8000&h=8000 is 64 MP, past the 50 MP the lake makes for anyone (raw pixels held while resizing).
    for (const query of ['w=-1', 'w=99999', 'fit=stretch', 'rect=1,2', 'fm=bmp', 'q=500', 'bg=zzz', 'w=8000&h=8000&fit=scale', 'w=4000&h=4000&dpr=3']) {
      const res = await fetch(`${image.url}?${query}`)
      expect(res.status, query).toBe(400)
    }
    // Many at once: answered (or told to retry), and the lake still pings.
    const many = await Promise.all(Array.from({length: 40}, (_, i) => fetch(`${image.url}?w=${100 + i}`).then((r) => r.status)))
    expect(many.every((status) => status === 200 || status === 429)).toBe(true)
    // Two run and 32 wait; the rest may be told to retry.
    expect(many.filter((status) => status === 200).length).toBeGreaterThanOrEqual(30)
    expect((await fetch(`${lake.url}/v2025-02-19/ping`)).status).toBe(200)
  })

  it('serves SVG as image/svg+xml in a sandbox, and rasterizes it when transformed', async () => {
    const res = await fetch(svg.url)
    expect(res.headers.get('content-type')).toBe('image/svg+xml')
    expect(res.headers.get('content-security-policy')).toMatch(/sandbox/)
    expect(res.headers.get('x-content-type-options')).toBe('nosniff')
    expect(Buffer.from(await res.arrayBuffer()).equals(SVG)).toBe(true)
    const png = await fetchImage(builder().image(svg).width(60).url())
    expect(png.res.headers.get('content-type')).toBe('image/png')
    expect([png.meta.width, png.meta.height]).toEqual([60, 30])
  })
})

describe('the site and the renderer', () => {
  it('shows the main image with srcset, alt, caption and credit, served by the lake (CSP allows only the lake)', async () => {
    const asset = await client.assets.upload('image', await halves('jpeg'), {filename: 'main.jpg'})
    const mainImage = {
      _type: 'image',
      asset: {_type: 'reference', _ref: asset._id},
      alt: 'مقاتلون عند حاجز قرب الرقة',
      caption: 'حاجز على طريق الرقة',
      credit: 'هاوار',
      hotspot: {_type: 'sanity.imageHotspot', x: 0.5, y: 0.5, width: 1, height: 1},
      crop: {_type: 'sanity.imageCrop', top: 0, bottom: 0, left: 0, right: 0.25},
    }
    await client.createOrReplace({
      _id: 'article-with-image',
      _type: 'article',
      language: 'ar',
      headline: 'مقال مع صورة',
      slug: {_type: 'slug', current: 'with-image'},
      body: [{_type: 'block', _key: 'b1', style: 'normal', markDefs: [], children: [{_type: 'span', _key: 's1', text: 'نص', marks: []}]}],
      mainImage,
    })
    const site = await startSite({
      source: await connectSite({...NO_HOSTED, LAKE_DIR: lake.dir, LAKE_PORT: String(lake.port), LAKE_TOKEN: ''}),
      config: siteConfigFromEnv({SITE_PORT: '0'}),
      log: () => {},
    })
    try {
      const page = await get(site, '/articles/with-image')
      expect(page.status).toBe(200)
      const csp = page.headers.get('content-security-policy') ?? ''
      expect(csp).toContain(`img-src 'self' data: ${lake.url};`)
      const imgs = elements(page.text).filter((el) => el.tagName === 'img')
      expect(imgs).toHaveLength(1)
      const img = imgs[0]!
      expect(attr(img, 'alt')).toBe(mainImage.alt)
      expect(attr(img, 'width')).toBe('600')
      expect(attr(img, 'height')).toBe('600')
      const srcset = attr(img, 'srcset')!.split(', ').map((entry) => entry.split(' '))
      expect(srcset.map(([, w]) => w)).toEqual(['320w', '480w', '600w'])
      for (const [url, w] of srcset) {
        expect(url.startsWith(`${lake.url}/images/local/production/${asset.assetId}-800x600.jpg?`)).toBe(true)
        expect(url).toContain('rect=0,0,600,600')
        const served = await fetchImage(url, {headers: {accept: 'image/webp'}})
        expect(`${served.meta.width}w`).toBe(w)
      }
      const figcaption = elements(page.text).find((el) => el.tagName === 'figcaption')!
      expect(textOf(figcaption)).toContain(mainImage.caption)
      expect(textOf(figcaption)).toContain(mainImage.credit)
      // An article without one has no figure.
      await client.patch('article-with-image').unset(['mainImage']).commit()
      expect((await get(site, '/articles/with-image')).text).not.toContain('<figure')
    } finally {
      await site.close()
    }
  })

  it("shows a person's portrait on their page, with alt and a srcset served by the lake", async () => {
    const asset = await client.assets.upload('image', await halves('png'), {filename: 'portrait.png'})
    await client.createOrReplace({
      _id: 'person-with-portrait',
      _type: 'person',
      name: 'متحدثة للاختبار',
      slug: {_type: 'slug', current: 'with-portrait'},
      portrait: {_type: 'image', asset: {_type: 'reference', _ref: asset._id}, alt: 'صورة المتحدثة'},
    })
    const site = await startSite({
      source: await connectSite({...NO_HOSTED, LAKE_DIR: lake.dir, LAKE_PORT: String(lake.port), LAKE_TOKEN: ''}),
      config: siteConfigFromEnv({SITE_PORT: '0'}),
      log: () => {},
    })
    try {
      const page = await get(site, '/people/with-portrait')
      expect(page.status).toBe(200)
      const img = elements(page.text).find((el) => el.tagName === 'img')!
      expect(attr(img, 'alt')).toBe('صورة المتحدثة')
      expect(attr(img, 'sizes')).toBe('10rem')
      const [first] = attr(img, 'srcset')!.split(', ').map((entry) => entry.split(' '))
      const served = await fetchImage(first![0]!, {headers: {accept: 'image/webp'}})
      expect(`${served.meta.width}w`).toBe(first![1])
      await client.patch('person-with-portrait').unset(['portrait']).commit()
      expect((await get(site, '/people/with-portrait')).text).not.toContain('<figure')
    } finally {
      await site.close()
    }
  })

  it('the renderer (npm run render) takes image URLs from the asset when given no source', async () => {
    const asset = await client.assets.upload('image', await halves('webp'), {filename: 'r.webp'})
    const withImage = {
      _id: 'a', _type: 'article', headline: 'h', language: 'ar', slug: 's', lead: null, publishedAt: null, byline: null,
      body: [], quotes: [], people: [], organizations: [], credits: [], sourceAgency: null, subjects: null, sourceText: null, _createdAt: '', _updatedAt: '',
      mainImage: {alt: 'نص بديل', caption: null, credit: null, crop: null, hotspot: null, asset: {_id: asset._id, url: asset.url, metadata: asset.metadata}},
    } as unknown as Parameters<typeof renderArticle>[0]
    const html = renderArticle(withImage, {document: true})
    const img = elements(html).find((el) => el.tagName === 'img')!
    expect(attr(img, 'alt')).toBe('نص بديل')
    expect(attr(img, 'src')).toBe(`${lake.url}/images/local/production/${asset.assetId}-800x600.webp?w=800&fit=max&auto=format`)
    expect((await fetchImage(attr(img, 'src')!)).meta.width).toBe(800)
  })
})

describe('export and import carry the asset files', () => {
  it('exports a .tar.gz as sanity dataset export does, and importing it restores files and references', async () => {
    const png = await halves('png')
    const asset = await client.assets.upload('image', png, {filename: 'carried.png', title: 'منقول'})
    await client.createOrReplace({_id: 'carrier', _type: 'person', name: 'حامل', portrait: {_type: 'image', asset: {_type: 'reference', _ref: asset._id}}})
    const out = path.join(makeTempDir('lake-archive-'), 'production.tar.gz')
    const env = {SANITY_PROJECT_ID: '', SANITY_DATASET: '', LAKE_DIR: lake.dir, LAKE_PORT: String(lake.port), LAKE_TOKEN: ''}
    const exported = await runScript('src/lake/cli.ts', ['export', out], env)
    expect(exported.code, exported.stderr).toBe(0)
    expect(fs.statSync(out).mode & 0o777).toBe(0o600)

    const {kept} = await readTar(fs.createReadStream(out).pipe(createGunzip()) as AsyncIterable<Buffer>, () => true)
    const names = [...kept.keys()]
    expect(names).toContain('production/data.ndjson')
    expect(names).toContain(`production/images/${asset.assetId}-800x600.png`)
    expect(kept.get(`production/images/${asset.assetId}-800x600.png`)!.equals(png)).toBe(true)
    const docs = kept.get('production/data.ndjson')!.toString('utf8').trim().split('\n').map((line) => JSON.parse(line))
    expect(docs.some((d) => d._type === 'sanity.imageAsset')).toBe(false)
    expect(docs.find((d) => d._id === 'carrier').portrait).toEqual({_type: 'image', _sanityAsset: `image@file://./images/${asset.assetId}-800x600.png`})

    // Into a stopped lake's directory, then served by a lake started on it.
    const dir = makeTempDir()
    const imported = await runScript('src/lake/cli.ts', ['import', out], {...env, LAKE_DIR: dir, LAKE_PORT: '0'})
    expect(imported.code, imported.stderr).toBe(0)
    expect(fs.statSync(path.join(dir, 'assets', 'images', `${asset.assetId}-800x600.png`)).mode & 0o777).toBe(0o600)
    const copy = await spawnLake({dir})
    try {
      const copyClient = lakeClient(copy)
      const carrier = await copyClient.fetch('*[_id == "carrier"][0]{"asset": portrait.asset->{_id, title, originalFilename, "w": metadata.dimensions.width}}')
      // The same bytes were uploaded before as test.png (de-duplicated): the first upload's fields travel.
      expect(asset.title).toBe('عنوان')
      expect(carrier.asset).toEqual({_id: asset._id, title: asset.title, originalFilename: asset.originalFilename, w: 800})
      const served = await fetch(`${copy.url}/images/local/production/${asset.assetId}-800x600.png?w=400`)
      expect(served.status).toBe(200)
      expect((await sharp(Buffer.from(await served.arrayBuffer())).metadata()).width).toBe(400)

      // Into a running lake, through its API (the files are uploaded).
      const third = await spawnLake()
      const viaApi = await runScript('src/lake/cli.ts', ['import', out], {...env, LAKE_DIR: third.dir, LAKE_PORT: String(third.port)})
      expect(viaApi.code, viaApi.stderr).toBe(0)
      const res = await fetch(`${third.url}/images/local/production/${asset.assetId}-800x600.png`)
      expect(res.status).toBe(200)
      expect(Buffer.from(await res.arrayBuffer()).equals(png)).toBe(true)
      expect(await lakeClient(third).fetch('*[_id == "carrier"][0].portrait.asset._ref')).toBe(asset._id)
      await third.stop()
    } finally {
      await copy.stop()
    }
  }, 60_000)
})
