import readExif from 'exif-reader'

/**
 * EXIF as hosted Sanity stores it on an image asset, from the raw EXIF block sharp reads:
 * `metadata.exif` (the Exif IFD: exposure, lens, dates), `metadata.image` (IFD0: camera make
 * and model, software, copyright) and `metadata.location` (GPS, as a geopoint). Sanity names
 * tags as the `exif` parsers of Node do; exif-reader uses Exiv2's names, so a few are renamed.
 */

export interface Geopoint {
  _type: 'geopoint'
  lat: number
  lng: number
  alt?: number
}

export interface ExifParts {
  exif?: Record<string, unknown>
  image?: Record<string, unknown>
  location?: Geopoint
}

/** Exiv2's name → the name in Sanity's asset documents. */
const SANITY_NAME: Record<string, string> = {
  ISOSpeedRatings: 'ISO',
  FocalLengthIn35mmFilm: 'FocalLengthIn35mmFormat',
  DateTime: 'ModifyDate',
  ExifTag: 'ExifOffset',
  GPSTag: 'GPSInfo',
  InteroperabilityTag: 'InteropOffset',
}

/** Large or opaque values Sanity leaves out (vendor blobs, embedded thumbnails). */
const LEFT_OUT = new Set(['MakerNote', 'PrintImageMatching', 'XMLPacket', 'IPTCNAA', 'InterColorProfile'])

/** JSON-safe values only: dates as ISO strings, numbers finite, text without padding; binary is left out. */
function plain(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString()
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined
  if (typeof value === 'string') {
    const text = value.replace(/\0+$/, '').trim()
    return text === '' ? undefined : text
  }
  if (Array.isArray(value)) {
    const items = value.map(plain)
    return items.length > 0 && items.every((v) => v !== undefined && typeof v !== 'object') ? items : undefined
  }
  return undefined
}

function tagsOf(tags: Record<string, unknown> | undefined, type: string): Record<string, unknown> | undefined {
  if (!tags) return undefined
  const out: Record<string, unknown> = {}
  for (const [name, raw] of Object.entries(tags)) {
    if (LEFT_OUT.has(name)) continue
    const value = plain(raw)
    if (value !== undefined) out[SANITY_NAME[name] ?? name] = value
  }
  return Object.keys(out).length > 0 ? {_type: type, ...out} : undefined
}

/** Degrees, minutes, seconds (as EXIF stores a coordinate) to signed decimal degrees. */
function degrees(dms: unknown, ref: unknown, negative: string, max: number): number | undefined {
  const parts = typeof dms === 'number' ? [dms] : Array.isArray(dms) ? dms : undefined
  if (!parts || parts.length === 0 || parts.length > 3 || !parts.every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) return undefined
  const [d = 0, m = 0, s = 0] = parts as number[]
  const value = (d + m / 60 + s / 3600) * (String(ref).trim().toUpperCase() === negative ? -1 : 1)
  return Math.abs(value) <= max ? value : undefined
}

function geopoint(gps: Record<string, unknown> | undefined): Geopoint | undefined {
  if (!gps) return undefined
  const lat = degrees(gps.GPSLatitude, gps.GPSLatitudeRef, 'S', 90)
  const lng = degrees(gps.GPSLongitude, gps.GPSLongitudeRef, 'W', 180)
  if (lat === undefined || lng === undefined) return undefined
  const point: Geopoint = {_type: 'geopoint', lat, lng}
  // GPSAltitudeRef 1: below sea level.
  if (typeof gps.GPSAltitude === 'number' && Number.isFinite(gps.GPSAltitude)) point.alt = gps.GPSAltitudeRef === 1 ? -gps.GPSAltitude : gps.GPSAltitude
  return point
}

/**
 * The parts asked for, from sharp's `metadata().exif`. A damaged EXIF block gives nothing
 * rather than failing the upload: the image itself is fine.
 */
export function exifParts(block: Buffer | undefined, wanted: {exif: boolean; image: boolean; location: boolean}): ExifParts {
  if (!block || block.length === 0) return {}
  let parsed: ReturnType<typeof readExif>
  try {
    parsed = readExif(block)
  } catch {
    return {}
  }
  const parts: ExifParts = {}
  const exif = wanted.exif ? tagsOf(parsed.Photo, 'sanity.imageExifMetadata') : undefined
  const image = wanted.image ? tagsOf(parsed.Image, 'sanity.imageExifTags') : undefined
  const location = wanted.location ? geopoint(parsed.GPSInfo) : undefined
  // An image without them has no such fields (not null ones).
  if (exif) parts.exif = exif
  if (image) parts.image = image
  if (location) parts.location = location
  return parts
}
