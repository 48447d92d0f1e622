// groq-js's rules, restated for the indexes: how `order()` compares values and how `match`
// splits text into words. groq-js does not export them; tests/lake/differential.test.ts checks
// that answers built on these agree with groq-js's own.
import type {LakeDocument} from './store'

/** groq-js's TYPE_ORDER: what `order()` puts first when values differ in type. */
function typeRank(value: unknown): number {
  switch (typeof value) {
    case 'number':
      return 2
    case 'string':
      return 3
    case 'boolean':
      return 4
    default:
      return 100 // null, objects, arrays: all equal to one another
  }
}

/** groq-js's totalCompare over JSON values (stored documents hold no DateTime or Path objects). */
export function totalCompare(a: unknown, b: unknown): number {
  const ra = typeRank(a)
  const rb = typeRank(b)
  if (ra !== rb) return ra - rb
  if (ra === 2 || ra === 4) return (a as number) - (b as number)
  if (ra === 3) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0
  return 0
}

/** `doc.a.b…` as GROQ reads it: null unless every step is an object (not an array) that has the key. */
export function readPath(doc: unknown, path: readonly string[]): unknown {
  let value: unknown = doc
  for (const name of path) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null
    const obj = value as Record<string, unknown>
    if (!Object.prototype.hasOwnProperty.call(obj, name)) return null
    value = obj[name]
  }
  return value === undefined ? null : value
}

/** Sort keys that have an index: an attribute, or `coalesce(a, b)` of two attributes (latestArticlesQuery). */
export interface SortKey {
  /** Attribute names, tried in turn as `coalesce` does. */
  fields: readonly string[]
}

export const SORT_KEYS: readonly SortKey[] = [
  {fields: ['_id']},
  {fields: ['_createdAt']},
  {fields: ['_updatedAt']},
  {fields: ['publishedAt']},
  {fields: ['publishedAt', '_createdAt']},
]

export function sortKeyName(key: SortKey): string {
  return key.fields.length === 1 ? (key.fields[0] as string) : `coalesce(${key.fields.join(',')})`
}

export function sortValue(doc: LakeDocument, key: SortKey): unknown {
  for (const field of key.fields) {
    const value = Object.prototype.hasOwnProperty.call(doc, field) ? doc[field] : undefined
    if (value !== null && value !== undefined) return value
  }
  return null
}

const byId = (a: LakeDocument, b: LakeDocument): number => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)

/** Orders by the key as groq-js's `order(key asc)` does, then by `_id` (groq-js keeps dataset order on ties). */
export function compareBy(key: SortKey): (a: LakeDocument, b: LakeDocument) => number {
  if (key.fields.length === 1 && key.fields[0] === '_id') return byId
  return (a, b) => totalCompare(sortValue(a, key), sortValue(b, key)) || byId(a, b)
}

// groq-js's shared/matching.ts.
const CHARS = /([^!@#$%^&*(),\\/?";:{}|[\]+<>\s-])+/g
const CHARS_WITH_WILDCARD = /([^!@#$%^&(),\\/?";:{}|[\]+<>\s-])+/g
const EDGE_CHARS = /(\b\.+|\.+\b)/g
const MAX_TERM_LENGTH = 1024

/** The words `match` sees in a text, as groq-js's matchTokenize splits them. */
export function matchTokens(text: string): string[] {
  return text.replace(EDGE_CHARS, '').match(CHARS) ?? []
}

/** The terms of a `match` pattern, as groq-js cuts them before turning each into a regex. */
export function matchTerms(pattern: string): string[] {
  return (pattern.replace(EDGE_CHARS, '').match(CHARS_WITH_WILDCARD) ?? []).map((term) => term.slice(0, MAX_TERM_LENGTH))
}

/** groq-js's regex for one term: `^term$`, `*` as any run of characters, case-insensitive. */
export function termRegex(term: string): RegExp {
  return new RegExp(`^${term.replace(/\*/g, '.*')}$`, 'i')
}

/** A term the index can look up as one word: no wildcard and no `.` (which the regex reads as any character). */
export function isPlainTerm(term: string): boolean {
  return !term.includes('*') && !term.includes('.')
}

let folds: Uint16Array | null = null

/**
 * A word in the form a case-insensitive (non-unicode) regex compares: each UTF-16 unit through the
 * spec's Canonicalize (upper case when that is one unit and does not turn non-ASCII into ASCII).
 * Two words fold alike exactly when `/^a$/i` matches `b`; folding twice changes nothing.
 */
export function foldWord(word: string): string {
  let ascii = true
  for (let i = 0; i < word.length; i++) {
    if (word.charCodeAt(i) > 127) {
      ascii = false
      break
    }
  }
  if (ascii) return word.toUpperCase()
  const table = (folds ??= new Uint16Array(65536))
  let units: Uint16Array | null = null
  for (let i = 0; i < word.length; i++) {
    const unit = word.charCodeAt(i)
    let folded = table[unit] as number
    if (folded === 0 && unit !== 0) {
      const upper = String.fromCharCode(unit).toUpperCase()
      const cu = upper.charCodeAt(0)
      folded = upper.length !== 1 || (unit >= 128 && cu < 128) ? unit : cu
      table[unit] = folded
    }
    if (folded !== unit && units === null) {
      units = new Uint16Array(word.length)
      for (let j = 0; j < i; j++) units[j] = word.charCodeAt(j)
    }
    if (units !== null) units[i] = folded
  }
  if (units === null) return word // most Arabic text: nothing to fold, nothing to copy
  // Built in chunks, not by `+=`: index keys live long, and a concatenated string keeps its rope.
  let out = ''
  for (let at = 0; at < units.length; at += 4096) out += String.fromCharCode(...units.subarray(at, at + 4096))
  return out
}
