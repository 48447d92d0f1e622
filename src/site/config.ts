// The site's settings, read once from the environment at start-up; bad values are refused with
// a message that names the variable and what it should hold.
import {portFrom} from '../lake/server'

export const SITE_HOST = '127.0.0.1'
export const DEFAULT_SITE_PORT = 3000
export const DEFAULT_STUDIO_PORT = 3333
export const DEFAULT_SITE_NAME = 'غرفة الأخبار'
/** A preview secret shorter than this is too easy to guess. */
export const MIN_PREVIEW_SECRET_LENGTH = 16

export interface SiteConfig {
  port: number
  /** SITE_URL without a trailing slash, or undefined: then the address the server listens on. */
  siteUrl?: string
  siteName: string
  /** SITE_PREVIEW_SECRET, or undefined: then the site makes one per run (see preview.ts). */
  previewSecret?: string
  /** The Studio the click-to-edit attributes point at and that may frame the site (Presentation tool). */
  studioUrl: string
  /** SITE_IMAGE_URL: where pages load images from, when not the lake's own address (npm run dev: its https origin). */
  imageUrl?: string
}

type Env = Record<string, string | undefined>

function httpUrl(value: string, name: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new Error(`${name}=${value} is not a URL: give a full address such as http://127.0.0.1:3000`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`${name}=${value} must start with http:// or https://`)
  if (url.search || url.hash || url.username || url.password) throw new Error(`${name}=${value} must not carry a query, fragment or credentials`)
  return url.href.replace(/\/+$/, '')
}

export function siteConfigFromEnv(env: Env = process.env): SiteConfig {
  const port = portFrom(env.SITE_PORT, DEFAULT_SITE_PORT, 'SITE_PORT')
  const secret = env.SITE_PREVIEW_SECRET || undefined
  if (secret !== undefined && secret.length < MIN_PREVIEW_SECRET_LENGTH) {
    throw new Error(`SITE_PREVIEW_SECRET is ${secret.length} characters; use at least ${MIN_PREVIEW_SECRET_LENGTH} (e.g. openssl rand -hex 24), or unset it to get one per run`)
  }
  const studioPort = portFrom(env.STUDIO_PORT, DEFAULT_STUDIO_PORT, 'STUDIO_PORT')
  return {
    port,
    ...(env.SITE_URL ? {siteUrl: httpUrl(env.SITE_URL, 'SITE_URL')} : {}),
    siteName: env.SITE_NAME?.trim() || DEFAULT_SITE_NAME,
    ...(secret ? {previewSecret: secret} : {}),
    studioUrl: env.SITE_STUDIO_URL ? httpUrl(env.SITE_STUDIO_URL, 'SITE_STUDIO_URL') : `http://${SITE_HOST}:${studioPort}`,
    ...(env.SITE_IMAGE_URL ? {imageUrl: httpUrl(env.SITE_IMAGE_URL, 'SITE_IMAGE_URL')} : {}),
  }
}
