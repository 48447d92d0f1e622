// Draft preview: who may see drafts, and the click-to-edit attributes shown to them.
// An editor gets in with the site's token (Authorization: Bearer …) or with the preview secret
// (/api/preview?secret=…), which sets a cookie. The cookie holds a per-run random value, never the
// secret or the token, so restarting the site ends every preview session.
import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'
import type {SanityClient} from '@sanity/client'
import {createDataAttribute} from '@sanity/visual-editing-csm'

export const PREVIEW_COOKIE = 'site_preview'

export interface PreviewAuth {
  /** SITE_PREVIEW_SECRET, or one made for this run (told only to token holders, see app.ts). */
  secret: string
  secretFromEnv: boolean
  cookieValue: string
  /** The site's token; preview is off when the site has none. */
  token?: string
}

export function createPreviewAuth(secret: string | undefined, token: string | undefined): PreviewAuth {
  return {
    secret: secret ?? randomBytes(24).toString('base64url'),
    secretFromEnv: secret !== undefined,
    cookieValue: randomBytes(32).toString('base64url'),
    ...(token ? {token} : {}),
  }
}

/** Compares in constant time; hashing first makes the lengths equal, so length leaks nothing either. */
export function sameSecret(given: string | undefined, expected: string | undefined): boolean {
  if (!given || !expected) return false
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest()
  return timingSafeEqual(digest(given), digest(expected))
}

export type Viewer = 'reader' | 'editor' | 'refused'

/** Reader (published), editor (drafts) or refused (a bearer token that is not the site's). */
export function viewerOf(auth: PreviewAuth, authorization: string | undefined, cookie: string | undefined): Viewer {
  if (!auth.token) return 'reader'
  if (authorization !== undefined) {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1]
    return sameSecret(bearer, auth.token) ? 'editor' : 'refused'
  }
  return sameSecret(cookie, auth.cookieValue) ? 'editor' : 'reader'
}

/** Makes `data-sanity` values for the Presentation tool's overlays; only used for editors. */
export type EditAttribute = (doc: {_id: string; _type: string}, path: string) => string | undefined

export function editAttributes(client: SanityClient, studioUrl: string): EditAttribute {
  const {projectId, dataset} = client.config()
  return (doc, path) => {
    if (!doc._id || !doc._type) return undefined
    return createDataAttribute({baseUrl: studioUrl, projectId, dataset, id: doc._id, type: doc._type, path}).toString()
  }
}
