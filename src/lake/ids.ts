import {randomBytes} from 'node:crypto'
import {badRequest} from './errors'
import {
  getDraftId,
  getPublishedId,
  getVersionNameFromId,
  isDraftId as isDraft,
  isVersionId as isVersion,
  type DocumentId,
  type VersionId,
} from '@sanity/id-utils'

/** Sanity's id alphabet; a dot separates path segments (`drafts.x`, `versions.r.x`). */
const ID_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9_-]*(\.[a-zA-Z0-9_][a-zA-Z0-9_-]*)*$/
export const MAX_ID_LENGTH = 128

const VERSIONS_PREFIX = 'versions.'

/** Returns why `id` is not a valid document id, or null when it is. */
export function idProblem(id: unknown): string | null {
  if (typeof id !== 'string') return 'document id must be a string'
  if (id.length === 0) return 'document id must not be empty'
  if (id.length > MAX_ID_LENGTH) return `document id is longer than ${MAX_ID_LENGTH} characters`
  if (!ID_PATTERN.test(id)) {
    return 'document ids may only contain a-z, A-Z, 0-9, "_", "-" and "." (dot-separated path segments, no empty segment, not starting with "-")'
  }
  if (id.startsWith(VERSIONS_PREFIX) && id.split('.').length < 3) {
    return 'version ids have the form versions.<release>.<id>'
  }
  return null
}

/** A percent-encoded path segment (an id, a key), or a 400 naming it when the encoding is malformed (e.g. `%E0%A4%A`). */
export function decodeSegment(segment: string, what: string): string {
  try {
    return decodeURIComponent(segment)
  } catch {
    throw badRequest(`Malformed percent-encoding in ${what} ${JSON.stringify(segment.slice(0, 200))}: encode it with encodeURIComponent`)
  }
}

// Ids reach these helpers only after idProblem() accepted them, so the casts below only satisfy
// @sanity/id-utils' branded types; its validating constructors would re-check every id on hot paths.
export const isDraftId = (id: string): boolean => isDraft(id as DocumentId)

export const isVersionId = (id: string): boolean => isVersion(id as DocumentId)

/** Drafts and release versions: documents that are not (yet) the published truth. */
export function isDraftOrVersionId(id: string): boolean {
  return isDraftId(id) || isVersionId(id)
}

/**
 * A public dataset only exposes documents in the root path; any dot puts a document
 * into a path that anonymous readers cannot see (drafts, versions, custom paths).
 */
export function isRootPathId(id: string): boolean {
  return !id.includes('.')
}

export const publishedIdOf = (id: string): string => getPublishedId(id as DocumentId)

export const draftIdOf = (id: string): string => getDraftId(id as DocumentId)

/** The release name of `versions.<release>.<id>`, or undefined. */
export const releaseOf = (id: string): string | undefined =>
  isVersionId(id) ? getVersionNameFromId(id as VersionId) : undefined

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'

/** Random id in Sanity's style (22 alphanumerics ≈ 131 bits). */
export function randomId(length = 22): string {
  const bytes = randomBytes(length * 2)
  // Collected and joined, not appended: `+=` leaves a chain of ~10 rope nodes (~390 bytes) per id,
  // and ids are kept for good (documents' _rev, the dataset's used transaction ids).
  const out: string[] = []
  // Rejection sampling keeps every character equally likely (248 = 4 * 62).
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i]
    if (b < 248) out.push(ALPHABET[b % 62])
  }
  return out.length === length ? out.join('') : out.join('') + randomId(length - out.length)
}

export function randomKey(): string {
  return randomBytes(6).toString('hex')
}
