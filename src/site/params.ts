// Checks on what a reader can put in an address; a bad value is a 400 with a reason in Arabic.
import {MAX_QUERY_LENGTH} from './search'

export class BadRequest extends Error {}

export const MAX_SLUG_LENGTH = 200
export const MAX_PAGE = 100_000
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001F\u007F]/

/** `?page=`: absent → 1; else a whole number from 1 to MAX_PAGE. */
export function pageParam(value: string | undefined): number {
  if (value === undefined) return 1
  if (!/^[1-9][0-9]*$/.test(value) || Number(value) > MAX_PAGE) {
    throw new BadRequest(`رقم الصفحة يجب أن يكون عدداً صحيحاً بين 1 و${MAX_PAGE}.`)
  }
  return Number(value)
}

export function slugParam(value: string): string {
  if (value.length === 0 || value.length > MAX_SLUG_LENGTH || CONTROL.test(value)) {
    throw new BadRequest(`المعرّف في العنوان غير صالح (حتى ${MAX_SLUG_LENGTH} حرفاً).`)
  }
  return value
}

/** A document id as Sanity allows them; drafts and versions are never addressed directly. */
export function idParam(value: string): {id: string; addressable: boolean} {
  if (!ID.test(value)) throw new BadRequest('معرّف القول غير صالح.')
  return {id: value, addressable: !value.startsWith('drafts.') && !value.startsWith('versions.')}
}

export function queryParam(value: string | undefined): string {
  const q = (value ?? '').trim()
  if (q.length > MAX_QUERY_LENGTH) throw new BadRequest(`نص البحث أطول من ${MAX_QUERY_LENGTH} حرف.`)
  if (CONTROL.test(q)) throw new BadRequest('نص البحث يحوي محارف غير مسموحة.')
  return q
}

/** Where to go after entering or leaving preview: a path on this site only, never another host. */
export function localRedirect(value: string | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.includes('\\') || CONTROL.test(value)) return '/'
  return value
}
