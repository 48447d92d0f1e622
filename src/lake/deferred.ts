import {slugOf} from './indexes'
import {collectRefs, type Refs} from './refs'
import type {LakeDocument} from './store'

/**
 * Documents kept as the bytes read from the snapshot or the log until first read.
 *
 * Parsing every document is most of a large lake's start-up (about 1.5 s of JSON.parse and UTF-8
 * decoding at 100k documents). So a document in a snapshot or log line is written as two parts, split
 * by a tab (JSON never has a raw tab): a small head with what the indexes need, and the rest:
 *
 *   `[shell, slug, strongRefs, otherRefs]` TAB `{...the document's other fields...}`
 *
 * `shell` is the document's leading system fields (`_id`, `_type`, `_rev`, … in the document's own
 * order). Start-up parses heads only and stores the shell as the document object; the store fills
 * it in place (Object.assign of the parsed rest) before anyone reads it, so lists that hold the
 * object stay valid and the key order is the document's. Other documents are written whole, as
 * before (see shellEnd; a `__proto__` field, for one, Object.assign would not copy as data).
 */

const SYSTEM_KEYS = new Set(['_id', '_type', '_rev', '_createdAt', '_updatedAt'])
const TAB = 0x09

/** What the indexes need of a deferred document, from its head. */
export interface DeferredHead {
  shell: LakeDocument
  slug: string | undefined
  /** Strong reference targets (what integrity checks). */
  strong: readonly string[]
  /** Other reference targets: weak or cross-dataset only. */
  other: readonly string[]
}

/** Every reference target in a head: the strong ones, then the others. */
export function headRefs(head: DeferredHead): readonly string[] {
  return head.other.length === 0 ? head.strong : head.strong.concat(head.other)
}

/** Where a split document's bytes are: buf[start, end) is `head` TAB `rest`, the rest from `bodyAt`. */
export interface SplitBytes {
  buf: Buffer
  start: number
  bodyAt: number
  end: number
}

/** A document not parsed yet: its shell, and where its bytes are in what was read from disk (kept, not copied). */
export interface Deferred extends SplitBytes {
  doc: LakeDocument
}

/** Field names that JSON.stringify writes as they are (no escapes), so they can be searched for in its output. */
const PLAIN_KEY = /^[A-Za-z_$][\w$-]*$/

/**
 * Where the shell's fields end in `whole` (JSON.stringify(doc)): the index of the comma after them,
 * or of the closing brace when the document has no other field; -1 when the document is not split.
 * It is split when its keys start with `_id`, `_type`, every system field comes before the other
 * fields (a shell must hold `_rev`: the store reads it), and the system fields are strings: inside a
 * JSON string every quote is escaped, so the first `,"<next key>":` is where the shell ends.
 */
function shellEnd(doc: LakeDocument, whole: string): number {
  let index = 0
  let next: string | undefined
  for (const key in doc) {
    if (SYSTEM_KEYS.has(key)) {
      if (next !== undefined || typeof doc[key] !== 'string') return -1
      if ((index === 0 && key !== '_id') || (index === 1 && key !== '_type')) return -1
    } else if (next === undefined) {
      if (index < 2) return -1
      next = key
    }
    index++
  }
  if (index < 2 || Object.hasOwn(doc, '__proto__')) return -1
  if (next === undefined) return whole.length - 1
  return PLAIN_KEY.test(next) ? whole.indexOf(`,"${next}":`) : -1
}

/**
 * A document as written in snapshot and log lines, in parts to be written one after the other:
 * head TAB rest, or the document whole when it cannot be split. The head's shell is cut out of the
 * document's own JSON, so a document is stringified once.
 */
export function splitDocument(doc: LakeDocument, refs: Refs = collectRefs(doc)): string[] {
  const whole = JSON.stringify(doc)
  const end = shellEnd(doc, whole)
  if (end === -1) return [whole]
  const {all, strong} = refs
  const other: string[] = []
  for (const target of all) if (!strong.has(target)) other.push(target)
  // `[shell,` then `[slug, strong, other]` opened up
  const head = `[${whole.slice(0, end)}},${JSON.stringify([slugOf(doc) ?? null, [...strong], other]).slice(1)}\t{`
  return [head, end === whole.length - 1 ? '}' : whole.slice(end + 1)]
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

/**
 * Reads a split document at buf[start, end): its head, and where its rest starts; null when the bytes
 * are a whole document (they start with `{`). `end` is where the rest ends (the next tab or the line's end).
 * Throws with what is wrong when the head is malformed.
 */
export function readHead(buf: Buffer, start: number, end: number): {head: DeferredHead; bodyAt: number} | null {
  if (buf[start] !== 0x5b /* [ */) return null
  const tab = buf.indexOf(TAB, start)
  if (tab === -1 || tab >= end) throw new Error('a split document without its tab')
  const value: unknown = JSON.parse(buf.toString('utf8', start, tab))
  if (!Array.isArray(value) || value.length !== 4) throw new Error('a split document whose head is not [shell, slug, strong, other]')
  const [shell, slug, strong, other] = value as unknown[]
  if (shell === null || typeof shell !== 'object' || typeof (shell as LakeDocument)._id !== 'string' || typeof (shell as LakeDocument)._type !== 'string') {
    throw new Error('a split document whose head has no _id and _type')
  }
  if ((slug !== null && typeof slug !== 'string') || !isStringArray(strong) || !isStringArray(other)) {
    throw new Error('a split document with a malformed head')
  }
  if (buf[tab + 1] !== 0x7b /* { */) throw new Error('a split document whose rest is not an object')
  return {head: {shell: shell as LakeDocument, slug: slug ?? undefined, strong, other}, bodyAt: tab + 1}
}

/** Fills a deferred document in place with the rest of its fields. */
export function fill(deferred: Deferred): void {
  const rest: unknown = JSON.parse(deferred.buf.toString('utf8', deferred.bodyAt, deferred.end))
  Object.assign(deferred.doc, rest)
}

/** The bytes of a split document, `head` TAB `rest`, as written (a view, not a copy). */
export function splitBytes(split: SplitBytes): Buffer {
  return split.buf.subarray(split.start, split.end)
}
