import fs from 'node:fs'
import path from 'node:path'
import type {SanityClient} from '@sanity/client'
import {decode} from 'blurhash'
import sharp from 'sharp'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {lakeClient, removeTempDirs, spawnLake, stopAllLakes, type SpawnedLake} from '../helpers/lake'

// Image metadata as hosted Sanity extracts it on upload (src/lake/imageMetadata.ts, exifMetadata.ts):
// blurHash, lqip and palette by default; exif, image and location only when asked for
// (@sanity/client's `extract`, sent as ?meta=…). Each upload uses different pixels: the same
// bytes would be de-duplicated to the first upload's document.

let lake: SpawnedLake
let client: SanityClient

const BASE83 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz#$%*+,-.:;=?@[]^_{|}~'

/** What the first character of a blurHash says: its components across and down. */
function components(hash: string): {x: number; y: number} {
  const flag = BASE83.indexOf(hash[0]!)
  return {x: (flag % 9) + 1, y: Math.floor(flag / 9) + 1}
}

function solid(width: number, height: number, background: string) {
  return sharp({create: {width, height, channels: 3, background}})
}

/** Camera EXIF as sharp writes it (libvips names: IFD0 the image, IFD2 the Exif IFD, IFD3 GPS). */
function cameraExif(gps: Record<string, string>) {
  return {
    IFD0: {Make: 'Canon', Model: 'EOS R5', Software: 'newsroom-test'},
    IFD2: {DateTimeOriginal: '2024:05:06 07:08:09', FNumber: '28/10', ISOSpeedRatings: '400', ExposureTime: '1/250', LensModel: 'RF24-70mm'},
    IFD3: gps,
  }
}

const NORTH_EAST = {GPSLatitudeRef: 'N', GPSLatitude: '36/1 12/1 3000/100', GPSLongitudeRef: 'E', GPSLongitude: '37/1 9/1 0/1', GPSAltitudeRef: '0', GPSAltitude: '410/1'}

async function photo(background: string, gps: Record<string, string> = NORTH_EAST): Promise<Buffer> {
  return solid(320, 240, background).withExif(cameraExif(gps)).jpeg().toBuffer()
}

function storedImages(): string[] {
  const dir = path.join(lake.dir, 'assets', 'images')
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []
}

beforeAll(async () => {
  lake = await spawnLake()
  client = lakeClient(lake)
}, 30_000)

afterAll(async () => {
  await stopAllLakes()
  removeTempDirs()
})

describe('default metadata', () => {
  it('has dimensions, lqip, palette and a blurHash, but no EXIF or location unless asked', async () => {
    const doc = await client.assets.upload('image', await photo('#c33'), {filename: 'default.jpg'})
    const m = doc.metadata
    expect(m.dimensions).toMatchObject({width: 320, height: 240})
    expect(m.lqip).toMatch(/^data:image\/jpeg;base64,/)
    expect(m.palette?.dominant?.background).toMatch(/^#[0-9a-f]{6}$/)
    expect(typeof m.blurHash).toBe('string')
    expect(m.hasAlpha).toBe(false)
    expect(m.isOpaque).toBe(true)
    expect(m).not.toHaveProperty('exif')
    expect(m).not.toHaveProperty('location')
    expect(m).not.toHaveProperty('image')
  })

  it('blurHash: components by aspect ratio as hosted Sanity (5×4 for 4:3, 5×3 for 16:9), and it decodes to the picture', async () => {
    // Left half red, right half blue.
    const width = 800
    const height = 600
    const raw = Buffer.alloc(width * height * 3)
    for (let i = 0; i < width * height; i++) raw[i * 3 + ((i % width) < width / 2 ? 0 : 2)] = 255
    const halves = await sharp(raw, {raw: {width, height, channels: 3}}).png().toBuffer()
    const doc = await client.assets.upload('image', halves, {filename: 'halves.png'})
    const hash = doc.metadata.blurHash!
    // Sanity's own 3:2 and 16:9 assets carry hashes starting with V (5×4) and M (5×3).
    expect(components(hash)).toEqual({x: 5, y: 4})
    expect(hash).toHaveLength(4 + 2 * 20)
    const pixels = decode(hash, 40, 30)
    const at = (x: number, y: number) => Array.from(pixels.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 3))
    const [lr, , lb] = at(4, 15)
    const [rr, , rb] = at(35, 15)
    expect(lr).toBeGreaterThan(lb! + 100)
    expect(rb).toBeGreaterThan(rr! + 100)

    const wide = await client.assets.upload('image', await solid(320, 180, '#3366cc').png().toBuffer(), {filename: 'wide.png'})
    expect(components(wide.metadata.blurHash!)).toEqual({x: 5, y: 3})
    const tall = await client.assets.upload('image', await solid(180, 320, '#3366cc').png().toBuffer(), {filename: 'tall.png'})
    expect(components(tall.metadata.blurHash!)).toEqual({x: 3, y: 5})
    // One colour decodes to that colour everywhere.
    const flat = decode(wide.metadata.blurHash!, 16, 9)
    for (const [i, expected] of [0x33, 0x66, 0xcc].entries()) expect(Math.abs(flat[(4 * 16 + 8) * 4 + i]! - expected)).toBeLessThanOrEqual(3)
  })

  it('isOpaque looks at every pixel: one transparent pixel in a large PNG makes it false', async () => {
    const size = 400
    const raw = Buffer.alloc(size * size * 4, 255)
    raw[(123 * size + 321) * 4 + 3] = 0
    const holed = await client.assets.upload('image', await sharp(raw, {raw: {width: size, height: size, channels: 4}}).png().toBuffer(), {filename: 'holed.png'})
    expect(holed.metadata.hasAlpha).toBe(true)
    expect(holed.metadata.isOpaque).toBe(false)
    raw[(123 * size + 321) * 4 + 3] = 255
    raw[0] = 0 // other pixels, so that the bytes differ
    const whole = await client.assets.upload('image', await sharp(raw, {raw: {width: size, height: size, channels: 4}}).png().toBuffer(), {filename: 'whole.png'})
    expect(whole.metadata.hasAlpha).toBe(true)
    expect(whole.metadata.isOpaque).toBe(true)
  })
})

describe('?meta=exif&meta=location (extract)', () => {
  it("stores the Exif IFD as metadata.exif and GPS as a geopoint, and only the parts asked for", async () => {
    const doc = await client.assets.upload('image', await photo('#3a3'), {filename: 'gps.jpg', extract: ['exif', 'location']})
    const m = doc.metadata as unknown as Record<string, unknown> & {exif: Record<string, unknown>; location: Record<string, number>}
    expect(m.exif).toMatchObject({
      _type: 'sanity.imageExifMetadata',
      FNumber: 2.8,
      ISO: 400,
      ExposureTime: 1 / 250,
      LensModel: 'RF24-70mm',
      DateTimeOriginal: '2024-05-06T07:08:09.000Z',
    })
    // Binary tags (ExifVersion, ComponentsConfiguration) stay out, as in Sanity's documents.
    expect(Object.values(m.exif).every((v) => typeof v !== 'object' || Array.isArray(v))).toBe(true)
    expect(m.exif).not.toHaveProperty('ExifVersion')
    // 36° 12′ 30″ N, 37° 9′ 0″ E, 410 m.
    expect(m.location._type).toBe('geopoint')
    expect(m.location.lat).toBeCloseTo(36 + 12 / 60 + 30 / 3600, 9)
    expect(m.location.lng).toBeCloseTo(37 + 9 / 60, 9)
    expect(m.location.alt).toBe(410)
    // Asked for exif and location only: no lqip, palette or blurHash; dimensions always.
    expect(m).not.toHaveProperty('lqip')
    expect(m).not.toHaveProperty('palette')
    expect(m).not.toHaveProperty('blurHash')
    expect(m).not.toHaveProperty('image')
    expect(m.dimensions).toMatchObject({width: 320, height: 240})
    // Stored as returned: GROQ reads the same geopoint.
    expect(await client.fetch('*[_id == $id][0].metadata.location', {id: doc._id})).toEqual(m.location)
  })

  it('south and west of zero are negative, below sea level too', async () => {
    const gps = {GPSLatitudeRef: 'S', GPSLatitude: '33/1 52/1 0/1', GPSLongitudeRef: 'W', GPSLongitude: '70/1 30/1 0/1', GPSAltitudeRef: '0', GPSAltitude: '12/1'}
    const jpeg = await photo('#33c', gps)
    // libvips writes the one-byte GPSAltitudeRef as 0 whatever it is given: set it to 1 (below sea
    // level) in the little-endian IFD entry (tag 5, type BYTE, count 1, value 0).
    const entry = Buffer.from([0x05, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00])
    const at = jpeg.indexOf(entry)
    expect(at).toBeGreaterThan(0)
    expect(jpeg.indexOf(entry, at + 1)).toBe(-1)
    jpeg[at + 8] = 1
    const doc = await client.assets.upload('image', jpeg, {filename: 'south.jpg', extract: ['location']})
    const location = (doc.metadata as unknown as {location: {lat: number; lng: number; alt: number}}).location
    expect(location.lat).toBeCloseTo(-(33 + 52 / 60), 9)
    expect(location.lng).toBeCloseTo(-70.5, 9)
    expect(location.alt).toBe(-12)
    expect(doc.metadata).not.toHaveProperty('exif')
  })

  it('meta=image gives the camera (IFD0) as sanity.imageExifTags', async () => {
    const doc = await client.assets.upload('image', await photo('#cc3'), {filename: 'camera.jpg', extract: ['image', 'blurhash']})
    expect(doc.metadata.image).toMatchObject({_type: 'sanity.imageExifTags', Make: 'Canon', Model: 'EOS R5', Software: 'newsroom-test'})
    expect(typeof doc.metadata.blurHash).toBe('string')
    expect(doc.metadata).not.toHaveProperty('exif')
    expect(doc.metadata).not.toHaveProperty('location')
  })

  it('an image without EXIF gets no exif or location fields', async () => {
    const doc = await client.assets.upload('image', await solid(100, 100, '#123456').png().toBuffer(), {filename: 'plain.png', extract: ['exif', 'location']})
    expect(doc.metadata).not.toHaveProperty('exif')
    expect(doc.metadata).not.toHaveProperty('location')
    expect(doc.metadata.dimensions).toMatchObject({width: 100, height: 100})
  })

  it('extract: [] (meta=none) keeps only what is always there', async () => {
    const doc = await client.assets.upload('image', await photo('#c3c'), {filename: 'none.jpg', extract: []})
    expect(Object.keys(doc.metadata).sort()).toEqual(['_type', 'dimensions', 'hasAlpha', 'isOpaque'])
  })

  it('an unknown meta value is a 400 and stores nothing', async () => {
    const before = storedImages()
    const res = await fetch(`${lake.url}/v2025-02-19/assets/images/production?meta=exif&meta=everything`, {
      method: 'POST',
      body: new Uint8Array(await photo('#3cc')),
      headers: {authorization: `Bearer ${lake.token}`, 'content-type': 'image/jpeg'},
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('meta=everything')
    expect(storedImages()).toEqual(before)
    expect(fs.readdirSync(path.join(lake.dir, 'assets')).filter((f) => f.endsWith('.tmp'))).toEqual([])
  })
})
