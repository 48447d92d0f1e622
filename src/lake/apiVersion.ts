import {gatewayError} from './errors'

const VERSION = /^v(1|X|x|(\d{4})-(\d{2})-(\d{2}))$/

/** The furthest-ahead time zone: a client there may already be on tomorrow's date in UTC. */
const LATEST_OFFSET_MS = 14 * 60 * 60 * 1000

/**
 * The API version of a path's first segment (`v1`, `vX`, `v2025-02-19`), or null when the
 * segment is not a version at all. A version-shaped segment that names no real day, or a
 * day that has not come yet anywhere on Earth, is a 400: it could only be a typo.
 */
export function apiVersionOf(segment: string | undefined, now = Date.now()): string | null {
  if (segment === undefined || !/^v[\dXx]/.test(segment)) return null
  const match = VERSION.exec(segment)
  if (!match) throw invalid(segment, 'expected v1, vX or vYYYY-MM-DD')
  const [, version, year, month, day] = match
  if (year === undefined) return version
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)))
  if (date.getUTCFullYear() !== Number(year) || date.getUTCMonth() !== Number(month) - 1 || date.getUTCDate() !== Number(day)) {
    throw invalid(segment, `${version} is not a date`)
  }
  if (date.getTime() > now + LATEST_OFFSET_MS) throw invalid(segment, `${version} is in the future; use today's date or earlier`)
  return version
}

function invalid(segment: string, why: string) {
  return gatewayError(400, `Invalid API version "${segment.slice(0, 40)}": ${why}, e.g. /v2025-02-19/data/query/<dataset>`)
}
