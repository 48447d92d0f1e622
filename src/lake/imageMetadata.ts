import {encode as encodeBlurHash} from 'blurhash'
import type {Metadata} from 'sharp'
import {lazyPackage} from './lazy'

const loadSharp = lazyPackage<typeof import('sharp').default>('sharp')
import {apiError} from './errors'
import {exifParts} from './exifMetadata'
import {MAX_PIXELS} from './imageTransform'

/**
 * `metadata` of a `sanity.imageAsset`, as hosted Sanity extracts it on upload: dimensions,
 * hasAlpha and isOpaque always; lqip, palette and blurHash by default; exif, image (EXIF IFD0)
 * and location only when the upload asks for them with `?meta=…` (@sanity/client's `extract`,
 * the Studio's `options.metadata`). Asking for some parts means only those.
 */

export const METADATA_PARTS = ['blurhash', 'thumbhash', 'lqip', 'palette', 'exif', 'image', 'location'] as const
export type MetadataPart = (typeof METADATA_PARTS)[number]
const DEFAULT_PARTS: MetadataPart[] = ['blurhash', 'lqip', 'palette']

/** The `meta` query parameters of an upload; none given: Sanity's defaults, `none`: nothing optional. */
export function metadataParts(values: string[]): Set<MetadataPart> {
  if (values.length === 0) return new Set(DEFAULT_PARTS)
  const parts = new Set<MetadataPart>()
  for (const value of values) {
    if (value === 'none') continue
    if (!(METADATA_PARTS as readonly string[]).includes(value)) {
      throw apiError(400, 'invalidMetadataType', `Invalid meta=${value.slice(0, 40)}: expected one or more of ${METADATA_PARTS.join(', ')} (or none)`)
    }
    parts.add(value as MetadataPart)
  }
  return parts
}

export interface ImageFacts {
  width: number
  height: number
  metadata: Record<string, unknown>
}

function hex(n: number): string {
  return Math.round(n).toString(16).padStart(2, '0')
}

/** Up to 5 components along the longer side, as many along the shorter as keep them square (as Sanity's: 5×3 for 16:9, 5×4 for 3:2). */
export function blurHashComponents(width: number, height: number): {x: number; y: number} {
  const short = Math.max(1, Math.ceil((5 * Math.min(width, height)) / Math.max(width, height)))
  return width >= height ? {x: 5, y: short} : {x: short, y: 5}
}

/** Thumbnail side for lqip, palette and blurHash: one small decode serves all three. */
const THUMB_SIDE = 32

/**
 * Reads an image (its bytes or its file) once at full size only where needed: a huge image
 * (a decompression bomb) is refused from its header, before any pixel is decoded.
 */
export async function imageFacts(input: Buffer | string, sniffed: {mimeType: string; extension: string}, parts: Set<MetadataPart>): Promise<ImageFacts> {
  let meta: Metadata
  try {
    meta = await loadSharp()(input).metadata()
  } catch (err) {
    throw apiError(400, 'invalidImage', `Invalid image: the bytes look like ${sniffed.mimeType} but could not be read (${(err as Error).message}); upload an intact image`)
  }
  if (sniffed.extension === 'svg' && meta.format !== 'svg') throw apiError(400, 'invalidImage', 'Invalid image: the SVG could not be parsed as SVG; upload a well-formed SVG document')
  const rotated = (meta.orientation ?? 1) >= 5
  const width = rotated ? meta.height : meta.width
  const height = rotated ? meta.width : meta.height
  if (!width || !height) throw apiError(400, 'invalidImage', 'Invalid image: it has no width or height')
  if (width * height > MAX_PIXELS) {
    throw apiError(413, 'imageTooLarge', `The image is ${width}×${height} pixels, more than the local lake takes (${MAX_PIXELS} pixels); upload a smaller one`)
  }
  const hasAlpha = meta.hasAlpha === true
  const metadata: Record<string, unknown> = {
    _type: 'sanity.imageMetadata',
    dimensions: {_type: 'sanity.imageDimensions', width, height, aspectRatio: width / height},
    hasAlpha,
  }
  try {
    // Transparency needs every pixel: a thumbnail averages a transparent one away.
    metadata.isOpaque = hasAlpha ? (await loadSharp()(input, {limitInputPixels: MAX_PIXELS}).stats()).isOpaque : true
    if (parts.has('lqip') || parts.has('palette') || parts.has('blurhash')) {
      const {data, info} = await loadSharp()(input, {limitInputPixels: MAX_PIXELS})
        .rotate()
        .resize(THUMB_SIDE, THUMB_SIDE, {fit: 'inside'})
        .ensureAlpha()
        .raw()
        .toBuffer({resolveWithObject: true})
      const thumb = () => loadSharp()(data, {raw: {width: info.width, height: info.height, channels: 4}})
      if (parts.has('blurhash')) {
        const {x, y} = blurHashComponents(info.width, info.height)
        metadata.blurHash = encodeBlurHash(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height, x, y)
      }
      if (parts.has('lqip')) {
        // A 20-px-wide blurred preview, as Sanity's lqip: a data: URL the page shows until the image loads.
        const lqip = await thumb().resize(20, undefined, {fit: 'inside'}).jpeg({quality: 40}).toBuffer()
        metadata.lqip = `data:image/jpeg;base64,${lqip.toString('base64')}`
      }
      if (parts.has('palette')) {
        const {r, g, b} = (await thumb().stats()).dominant
        const light = 0.299 * r + 0.587 * g + 0.114 * b > 150
        const swatch = {
          _type: 'sanity.imagePaletteSwatch',
          background: `#${hex(r)}${hex(g)}${hex(b)}`,
          foreground: light ? '#000' : '#fff',
          title: light ? '#000' : '#fff',
          population: 1,
        }
        metadata.palette = {_type: 'sanity.imagePalette', dominant: swatch}
      }
    }
  } catch (err) {
    // The header read, the pixels did not (a truncated file).
    throw apiError(400, 'invalidImage', `Invalid image: the ${sniffed.mimeType} could not be decoded (${(err as Error).message}); upload an intact image`)
  }
  if (parts.has('exif') || parts.has('image') || parts.has('location')) {
    Object.assign(metadata, exifParts(meta.exif, {exif: parts.has('exif'), image: parts.has('image'), location: parts.has('location')}))
  }
  return {width, height, metadata}
}
