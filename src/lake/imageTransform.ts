import type {Sharp} from 'sharp'
import {lazyPackage} from './lazy'

const loadSharp = lazyPackage<typeof import('sharp').default>('sharp')

interface RGBA {
  r: number
  g: number
  b: number
  alpha: number
}

type OutFormat = 'jpeg' | 'png' | 'webp' | 'avif' | 'gif'
import {badRequest} from './errors'
import {tooManyRequests} from './limits'

/**
 * Sanity's image URL parameters (https://www.sanity.io/docs/image-urls), as @sanity/image-url
 * builds them, applied with sharp: rect, w/h (with dpr and min-/max-), fit, crop (directions,
 * focalpoint with fp-x/fp-y, entropy), fm/auto=format, q, bg, blur, sharp, sat, invert, flip, or, pad.
 */

/** Largest output side, as Sanity's image pipeline caps it. */
export const MAX_SIDE = 8192
/** Largest output, and largest source decoded: each is held as raw pixels (4 bytes each) while it is made. */
export const MAX_PIXELS = 50_000_000
/** Transformations run at once (sharp uses the cores), and waiting beyond them before a 429. */
const MAX_RUNNING = 2
const MAX_WAITING = 32

const FITS = new Set(['clip', 'crop', 'fill', 'fillmax', 'max', 'scale', 'min'])
const CROPS = new Set(['top', 'bottom', 'left', 'right', 'center', 'focalpoint', 'entropy'])
const FORMATS: Record<string, {mimeType: string; format: OutFormat}> = {
  jpg: {mimeType: 'image/jpeg', format: 'jpeg'},
  pjpg: {mimeType: 'image/jpeg', format: 'jpeg'},
  png: {mimeType: 'image/png', format: 'png'},
  webp: {mimeType: 'image/webp', format: 'webp'},
  avif: {mimeType: 'image/avif', format: 'avif'},
  gif: {mimeType: 'image/gif', format: 'gif'},
}

export interface Transformed {
  bytes: Buffer
  mimeType: string
  variesByAccept: boolean
}

function num(params: URLSearchParams, name: string, min: number, max: number, integer = true): number | undefined {
  const raw = params.get(name)
  if (raw === null || raw === '') return undefined
  const n = Number(raw)
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < min || n > max) {
    throw badRequest(`Invalid image parameter ${name}=${raw.slice(0, 40)}: expected ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}`)
  }
  return n
}

/** `bg`: RGB, ARGB, RRGGBB or AARRGGBB hex, as Sanity reads it. */
function color(raw: string | null): RGBA | undefined {
  if (raw === null || raw === '') return undefined
  let hex = raw.replace(/^#/, '')
  if (!/^([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.test(hex)) throw badRequest(`Invalid image parameter bg=${raw.slice(0, 20)}: expected a hex colour (RGB, ARGB, RRGGBB or AARRGGBB)`)
  if (hex.length <= 4) hex = [...hex].map((c) => c + c).join('')
  const a = hex.length === 8 ? parseInt(hex.slice(0, 2), 16) / 255 : 1
  const rgb = hex.slice(-6)
  return {r: parseInt(rgb.slice(0, 2), 16), g: parseInt(rgb.slice(2, 4), 16), b: parseInt(rgb.slice(4, 6), 16), alpha: a}
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n))
}

function outputFormat(params: URLSearchParams, inputFormat: string | undefined, accept: string): {fm: string; varies: boolean} {
  const fm = params.get('fm')
  if (fm !== null && fm !== '') {
    if (!FORMATS[fm]) throw badRequest(`Invalid image parameter fm=${fm.slice(0, 20)}: expected one of ${Object.keys(FORMATS).join(', ')}`)
    return {fm, varies: false}
  }
  const auto = params.get('auto')
  if (auto !== null && auto !== 'format') throw badRequest(`Invalid image parameter auto=${auto.slice(0, 20)}: only auto=format is supported`)
  if (auto === 'format') {
    if (/image\/avif/.test(accept)) return {fm: 'avif', varies: true}
    if (/image\/webp/.test(accept)) return {fm: 'webp', varies: true}
  }
  const same = inputFormat === 'jpeg' ? 'jpg' : inputFormat
  return {fm: same && FORMATS[same] ? same : 'png', varies: auto === 'format'}
}

interface Raw {
  data: Buffer
  width: number
  height: number
  channels: 1 | 2 | 3 | 4
}

/** Intermediate steps stay as raw pixels: no re-encoding (and no loss) between them. */
async function toRaw(image: Sharp): Promise<Raw> {
  const {data, info} = await image.raw().toBuffer({resolveWithObject: true})
  return {data, width: info.width, height: info.height, channels: info.channels}
}

function load(raw: Raw): Sharp {
  return loadSharp()(raw.data, {raw: {width: raw.width, height: raw.height, channels: raw.channels}})
}

let running = 0
const waiting: Array<() => void> = []

/**
 * Anyone may ask for images (public dataset): a few at a time, so that many large ones cannot take all the memory.
 * `input` is the image's bytes or its file.
 */
export async function transformImage(input: Buffer | string, params: URLSearchParams, accept: string): Promise<Transformed> {
  if (running >= MAX_RUNNING) {
    if (waiting.length >= MAX_WAITING) throw tooManyRequests(`The local lake is already resizing ${MAX_RUNNING + MAX_WAITING} images; retry in a moment`)
    // The slot is handed over by the one that finishes (running stays as it is).
    await new Promise<void>((resolve) => waiting.push(resolve))
  } else running++
  try {
    return await transform(input, params, accept)
  } finally {
    const next = waiting.shift()
    if (next) next()
    else running--
  }
}

async function transform(input: Buffer | string, params: URLSearchParams, accept: string): Promise<Transformed> {
  const meta = await loadSharp()(input).metadata()
  const isSvg = meta.format === 'svg'
  // SVGs are rasterized; everything else is turned upright from its EXIF orientation first.
  let source = await toRaw(loadSharp()(input, {limitInputPixels: MAX_PIXELS}).rotate())
  let W = source.width
  let H = source.height

  const rect = params.get('rect')
  if (rect !== null) {
    const parts = rect.split(',').map(Number)
    if (parts.length !== 4 || parts.some((n) => !Number.isInteger(n) || n < 0)) throw badRequest(`Invalid image parameter rect=${rect.slice(0, 40)}: expected left,top,width,height in whole pixels`)
    const [left, top] = [clamp(parts[0], 0, W - 1), clamp(parts[1], 0, H - 1)]
    const width = clamp(parts[2], 1, W - left)
    const height = clamp(parts[3], 1, H - top)
    source = await toRaw(load(source).extract({left, top, width, height}))
    W = width
    H = height
  }

  const dpr = num(params, 'dpr', 1, 3, false) ?? 1
  let w = num(params, 'w', 1, MAX_SIDE)
  let h = num(params, 'h', 1, MAX_SIDE)
  const minW = num(params, 'min-w', 1, MAX_SIDE)
  const maxW = num(params, 'max-w', 1, MAX_SIDE)
  const minH = num(params, 'min-h', 1, MAX_SIDE)
  const maxH = num(params, 'max-h', 1, MAX_SIDE)
  if (w !== undefined) w = clamp(w, minW ?? 1, maxW ?? MAX_SIDE)
  if (h !== undefined) h = clamp(h, minH ?? 1, maxH ?? MAX_SIDE)
  if (w !== undefined) w = Math.min(MAX_SIDE, Math.round(w * dpr))
  if (h !== undefined) h = Math.min(MAX_SIDE, Math.round(h * dpr))

  const area = (w ?? Math.round(((h ?? H) * W) / H)) * (h ?? Math.round(((w ?? W) * H) / W))
  if (area > MAX_PIXELS) throw badRequest(`The image asked for is ${area} pixels, more than the local lake makes (${MAX_PIXELS}); ask for a smaller w, h or dpr`)
  const fit = params.get('fit') ?? 'clip'
  if (!FITS.has(fit)) throw badRequest(`Invalid image parameter fit=${fit.slice(0, 20)}: expected one of ${[...FITS].join(', ')}`)
  const crops = (params.get('crop') ?? 'center').split(',').filter(Boolean)
  for (const c of crops) if (!CROPS.has(c)) throw badRequest(`Invalid image parameter crop=${c.slice(0, 20)}: expected ${[...CROPS].join(', ')}`)
  const bg = color(params.get('bg'))
  const q = num(params, 'q', 0, 100)

  let image = load(source)
  if (w !== undefined || h !== undefined) {
    if (w === undefined || h === undefined || fit === 'clip' || fit === 'max') {
      image = image.resize(w, h, {fit: 'inside', withoutEnlargement: fit === 'max'})
    } else if (fit === 'scale') {
      image = image.resize(w, h, {fit: 'fill'})
    } else if (fit === 'fill' || fit === 'fillmax') {
      const background = bg ?? {r: 255, g: 255, b: 255, alpha: meta.hasAlpha ? 0 : 1}
      if (fit === 'fill') image = image.resize(w, h, {fit: 'contain', background})
      else {
        const inner = await toRaw(image.resize(w, h, {fit: 'inside', withoutEnlargement: true}))
        const padX = Math.max(0, w - inner.width)
        const padY = Math.max(0, h - inner.height)
        image = load(inner).extend({left: Math.floor(padX / 2), right: Math.ceil(padX / 2), top: Math.floor(padY / 2), bottom: Math.ceil(padY / 2), background})
      }
    } else {
      // crop and min: cover the box; min never goes past the original's size.
      if (fit === 'min') {
        const shrink = Math.min(1, W / w, H / h)
        w = Math.max(1, Math.round(w * shrink))
        h = Math.max(1, Math.round(h * shrink))
      }
      image = await cropTo(source, w, h, crops, params)
    }
  }

  const blur = num(params, 'blur', 1, 2000)
  if (blur !== undefined) image = image.blur(Math.max(0.3, blur / 10))
  const sharpen = num(params, 'sharp', 0, 100)
  if (sharpen) image = image.sharpen({sigma: 0.5 + sharpen / 50})
  const sat = num(params, 'sat', -100, 100)
  if (sat !== undefined) image = image.modulate({saturation: 1 + sat / 100})
  if (params.get('invert') === 'true') image = image.negate({alpha: false})
  const flip = params.get('flip')
  if (flip !== null) {
    if (!['h', 'v', 'hv'].includes(flip)) throw badRequest(`Invalid image parameter flip=${flip.slice(0, 20)}: expected h, v or hv`)
    if (flip.includes('h')) image = image.flop()
    if (flip.includes('v')) image = image.flip()
  }
  const orientation = num(params, 'or', 0, 270)
  if (orientation !== undefined) {
    if (orientation % 90 !== 0) throw badRequest(`Invalid image parameter or=${orientation}: expected 0, 90, 180 or 270`)
    if (orientation) image = image.rotate(orientation)
  }
  const pad = num(params, 'pad', 0, 1000)
  if (pad) image = image.extend({top: pad, bottom: pad, left: pad, right: pad, background: bg ?? {r: 255, g: 255, b: 255, alpha: 1}})

  const {fm, varies} = outputFormat(params, isSvg ? 'png' : meta.format, accept)
  const target = FORMATS[fm]
  if (target.format === 'jpeg' && (bg || meta.hasAlpha)) image = image.flatten({background: bg ?? '#ffffff'})
  const options = {
    ...(q !== undefined ? {quality: Math.max(1, q)} : {}),
    ...(fm === 'pjpg' ? {progressive: true} : {}),
  }
  const encoded =
    target.format === 'jpeg' ? image.jpeg(options) : target.format === 'webp' ? image.webp(options) : target.format === 'avif' ? image.avif(options) : target.format === 'gif' ? image.gif() : image.png(options)
  const bytes = await encoded.toBuffer()
  return {bytes, mimeType: target.mimeType, variesByAccept: varies}
}

/** fit=crop: scale to cover w×h, then cut the box at the focal point, the given sides, or the busiest part. */
async function cropTo(source: Raw, w: number, h: number, crops: string[], params: URLSearchParams): Promise<Sharp> {
  const W = source.width
  const H = source.height
  if (crops.includes('entropy')) return load(source).resize(w, h, {fit: 'cover', position: loadSharp().strategy.entropy})
  const scale = Math.max(w / W, h / H)
  const rw = Math.max(w, Math.round(W * scale))
  const rh = Math.max(h, Math.round(H * scale))
  let fx = 0.5
  let fy = 0.5
  if (crops.includes('focalpoint')) {
    fx = num(params, 'fp-x', 0, 1, false) ?? 0.5
    fy = num(params, 'fp-y', 0, 1, false) ?? 0.5
  } else {
    if (crops.includes('left')) fx = 0
    if (crops.includes('right')) fx = 1
    if (crops.includes('top')) fy = 0
    if (crops.includes('bottom')) fy = 1
  }
  const left = Math.round(clamp(fx * rw - w / 2, 0, rw - w))
  const top = Math.round(clamp(fy * rh - h / 2, 0, rh - h))
  const resized = await toRaw(load(source).resize(rw, rh, {fit: 'fill'}))
  return load(resized).extract({left, top, width: w, height: h})
}
