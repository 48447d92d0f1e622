/**
 * Mendoza patches (github.com/sanity-io/mendoza), the effect format of the history API's
 * `effectFormat=mendoza`: the Studio applies them with the `mendoza` package to rebuild the
 * revisions between two it has, and to say which transaction changed which field.
 *
 * This encoder is small rather than minimal: objects are diffed field by field (recursively), and
 * any other changed value (string, array, number) is replaced whole. That is a valid patch for
 * every decoder; hosted Sanity's encoder also reuses slices of strings and arrays.
 * Like hosted Sanity's, the patches are over documents without `_rev`.
 */

type Json = null | boolean | number | string | Json[] | {[key: string]: Json}

// Opcodes (mendoza's OPS table).
const VALUE = 0
const PUSH_FIELD_COPY = 10
const RETURN_INTO_OBJECT_SAME_KEY_POP = 15
const OBJECT_SET_FIELD_VALUE = 17
const OBJECT_DELETE_FIELD = 19

function isObject(value: unknown): value is {[key: string]: Json} {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false
    return true
  }
  if (Array.isArray(b)) return false
  const ka = Object.keys(a)
  if (ka.length !== Object.keys(b).length) return false
  for (const k of ka) if (!Object.hasOwn(b, k) || !deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false
  return true
}

/** Ops turning object `from` (the input entry) into `to`, on an output that starts as a copy of `from`. */
function objectOps(from: {[key: string]: Json}, to: {[key: string]: Json}, out: unknown[]): void {
  // Field indexes count in the decoder's order: the input's keys, sorted as JavaScript sorts strings.
  const keys = Object.keys(from).sort()
  keys.forEach((key, index) => {
    if (!Object.hasOwn(to, key)) out.push(OBJECT_DELETE_FIELD, index)
  })
  keys.forEach((key, index) => {
    if (!Object.hasOwn(to, key)) return
    const a = from[key]
    const b = to[key]
    if (deepEqual(a, b)) return
    if (isObject(a) && isObject(b)) {
      out.push(PUSH_FIELD_COPY, index)
      objectOps(a, b, out)
      out.push(RETURN_INTO_OBJECT_SAME_KEY_POP)
    } else {
      out.push(OBJECT_SET_FIELD_VALUE, b, key)
    }
  })
  for (const key of Object.keys(to)) {
    if (!Object.hasOwn(from, key)) out.push(OBJECT_SET_FIELD_VALUE, to[key], key)
  }
}

function withoutRev(doc: Record<string, unknown> | null): {[key: string]: Json} | null {
  if (doc === null) return null
  const {_rev: _ignored, ...rest} = doc
  return rest as {[key: string]: Json}
}

/** The patch that turns document `from` into `to` (either may be null: created, deleted). */
export function mendozaPatch(from: Record<string, unknown> | null, to: Record<string, unknown> | null): unknown[] {
  const a = withoutRev(from)
  const b = withoutRev(to)
  if (a === null || b === null) return [VALUE, b]
  const out: unknown[] = []
  objectOps(a, b, out)
  return out
}

/** `{apply, revert}` for one document in one transaction, as the history API sends them. */
export function mendozaEffects(before: Record<string, unknown> | null, after: Record<string, unknown> | null): {apply: unknown[]; revert: unknown[]} {
  return {apply: mendozaPatch(before, after), revert: mendozaPatch(after, before)}
}
