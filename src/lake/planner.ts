import {randomBytes} from 'node:crypto'
import type {DereferenceFunction, ExprNode} from 'groq-js'
import {foldWord, isPlainTerm, matchTerms, matchTokens, readPath, SORT_KEYS, sortValue, termRegex, totalCompare, type SortKey} from './groqSemantics'
import {evaluateFast, fastTree, GiveWay, type FastStats} from './fastPath'
import {evaluateQuery, type QueryContext} from './query'
import type {LakeDocument} from './store'
import {QueryView, type View} from './views'

/*
 * The query planner. It never answers a query itself: it rewrites the parsed query so that
 * groq-js reads fewer documents, and groq-js evaluates the rewritten query over the same view.
 *
 * - `*[filter]` whose filter has conjuncts on indexed fields (`_id`, `_type`, `slug.current`,
 *   `…._ref`, `references()`, `match` on WORD_FIELDS) reads a candidate list from the indexes
 *   instead of `*`: every document the filter can accept, in `*`'s order. groq-js still applies
 *   the whole filter to each candidate, so the answer is the same (a filter keeps the order of
 *   its input, and a candidate list is `*` less documents the filter rejects).
 * - Conjuncts that compare with the enclosing document (`article._ref == ^._id`) get their
 *   candidates while groq-js evaluates, once per enclosing document.
 * - `->` looks the target up by `_id` (groq-js's `dereference` option) instead of scanning `*`.
 * - `order(k)[a...b]` over a sorted index (k: `_id`, `_createdAt`, `_updatedAt`, `publishedAt`,
 *   `coalesce(publishedAt, _createdAt)`) reads documents in key order until b of them pass the
 *   filter, plus those tied with the last: groq-js then filters, sorts and slices just those.
 *   Only for filters the planner can decide exactly (see exactFilter).
 * - `count(*[…])`: from per-type counts, or by deciding an exact filter over its candidates.
 *
 * Candidates are handed over through groq-js's own evaluation: `*` becomes
 * `coalesce(<lookup>, *)`, where the lookup is a `->` on a reference no document can hold (a
 * random prefix), which the `dereference` hook answers with the list, or with null when the
 * planner declines (the store changed under the query, too many candidates), which falls back
 * to `*` itself.
 */

type Node = ExprNode
type Raw = {type: string; [key: string]: unknown}

const PREFIX = `\u0000lake-plan-${randomBytes(12).toString('hex')}:`

/** Candidate lists longer than this are read in `_id` order from an index, not sorted. */
const SORT_AT_MOST = 2_000
/** Sorted-index plans per query: each may read its whole index once. */
const MAX_ORDERED_PLANS = 8

export interface PlanStats {
  /** What the planner set up, e.g. `filter:slug`, `filter:^ref`, `order:publishedAt`, `count`. */
  plans: string[]
  /** Lookups answered with a candidate list (or a count). */
  narrowed: number
  /** Lookups declined: groq-js read the whole view. */
  declined: number
  /** `->` answered by id. */
  derefs: number
  /** Whether the synchronous fast path answered (fastPath.ts), or why not. */
  fast: FastStats
}

type Field = 'id' | 'type' | 'slug' | 'ref'

/** A conjunct the indexes can answer: documents whose `field` is one of `keys`, or whose words match. */
type Lookup = {field: Field; keys: string[]} | {field: 'words'; fields: string[]; terms: string[]}

const raw = (node: Node): Raw => node as unknown as Raw
const node = (value: Raw): Node => value as unknown as Node

/** `a.b.c` read from `@`: the attribute names; null for anything else. */
function pathOf(n: Node): string[] | null {
  const names: string[] = []
  let at = raw(n)
  while (at.type === 'AccessAttribute') {
    names.unshift(at.name as string)
    if (!at.base) return names
    at = raw(at.base as Node)
  }
  return at.type === 'This' && names.length > 0 ? names : null
}

/** The value of a constant expression (parameters are already values after parse). */
function constantOf(n: Node): {value: unknown} | null {
  const r = raw(n)
  if (r.type === 'Value') return {value: r.value}
  if (r.type === 'Group') return constantOf(r.base as Node)
  if (r.type === 'Array') {
    const out: unknown[] = []
    for (const element of r.elements as Raw[]) {
      if (element.isSplat) return null
      const c = constantOf(element.value as Node)
      if (!c) return null
      out.push(c.value)
    }
    return {value: out}
  }
  return null
}

function fieldOf(path: readonly string[]): Field | null {
  if (path.length === 1 && path[0] === '_id') return 'id'
  if (path.length === 1 && path[0] === '_type') return 'type'
  if (path.length === 2 && path[0] === 'slug' && path[1] === 'current') return 'slug'
  if (path[path.length - 1] === '_ref') return 'ref'
  return null
}

/** `_id` and `_type` are strings in every stored document: other constants match nothing. */
const ALWAYS_STRING: ReadonlySet<Field> = new Set(['id', 'type'])

function conjuncts(n: Node, into: Node[] = []): Node[] {
  const r = raw(n)
  if (r.type === 'And') {
    conjuncts(r.left as Node, into)
    conjuncts(r.right as Node, into)
  } else if (r.type === 'Group') conjuncts(r.base as Node, into)
  else into.push(n)
  return into
}

function isGlobalCall(r: Raw, name: string): boolean {
  return r.type === 'FuncCall' && r.namespace === 'global' && r.name === name
}

function equalityLookup(field: Field, values: readonly unknown[]): Lookup | null {
  const keys: string[] = []
  for (const value of values) {
    if (typeof value === 'string') keys.push(value)
    else if (!ALWAYS_STRING.has(field)) return null // `slug.current == null` matches documents without one
  }
  return {field, keys: [...new Set(keys)]}
}

/** The lookup a conjunct (with constants only) allows, or null. */
function lookupOf(c: Node): Lookup | null {
  const r = raw(c)
  if (r.type === 'OpCall' && (r.op === '==' || r.op === 'in')) {
    const sides: Array<[Node, Node]> = r.op === '==' ? [[r.left as Node, r.right as Node], [r.right as Node, r.left as Node]] : [[r.left as Node, r.right as Node]]
    for (const [left, right] of sides) {
      const path = pathOf(left)
      const field = path && fieldOf(path)
      const constant = field ? constantOf(right) : null
      if (!field || !constant) continue
      if (r.op === '==') return equalityLookup(field, [constant.value])
      return Array.isArray(constant.value) ? equalityLookup(field, constant.value) : null
    }
    return null
  }
  if (isGlobalCall(r, 'references')) {
    const keys: string[] = []
    for (const arg of r.args as Node[]) {
      const constant = constantOf(arg)
      if (!constant) return null
      if (typeof constant.value === 'string') keys.push(constant.value)
      else if (Array.isArray(constant.value)) for (const v of constant.value) if (typeof v === 'string') keys.push(v)
    }
    return {field: 'ref', keys: [...new Set(keys)]}
  }
  if (r.type === 'OpCall' && r.op === 'match') {
    const left = raw(r.left as Node)
    const sources = left.type === 'Array' ? (left.elements as Raw[]).map((e) => (e.isSplat ? null : (e.value as Node))) : [r.left as Node]
    const fields: string[] = []
    for (const source of sources) {
      const path = source && pathOf(source)
      if (!path || path.length !== 1) return null
      fields.push(path[0] as string)
    }
    const pattern = constantOf(r.right as Node)
    if (!pattern || fields.length === 0) return null
    const texts = typeof pattern.value === 'string' ? [pattern.value] : Array.isArray(pattern.value) ? pattern.value : null
    if (!texts) return null
    // A pattern with a non-string part never matches (groq-js: success false); neither does one without terms.
    if (!texts.every((t) => typeof t === 'string')) return {field: 'id', keys: []}
    return {field: 'words', fields, terms: (texts as string[]).flatMap(matchTerms)}
  }
  return null
}

/** `^.a.b` (or `^.^.a`): the same path as read from the scope the filter itself runs in; null for anything else. */
function outerKey(n: Node): Node | null {
  const r = raw(n)
  if (r.type === 'AccessAttribute' && r.base) {
    const base = outerKey(r.base as Node)
    return base && node({...r, base})
  }
  if (r.type === 'Parent' && typeof r.n === 'number' && r.n >= 1) return node(r.n === 1 ? {type: 'This'} : {type: 'Parent', n: r.n - 1})
  return null
}

/** A conjunct comparing an indexed field with the enclosing document (`article._ref == ^._id`). */
function correlatedOf(c: Node): {field: Field; key: Node} | null {
  const r = raw(c)
  if (r.type === 'OpCall' && r.op === '==') {
    for (const [left, right] of [[r.left, r.right], [r.right, r.left]] as Array<[Node, Node]>) {
      const path = pathOf(left)
      const field = path && fieldOf(path)
      const key = field ? outerKey(right) : null
      if (field && key) return {field, key}
    }
  }
  if (isGlobalCall(r, 'references') && (r.args as Node[]).length === 1) {
    const key = outerKey((r.args as Node[])[0] as Node)
    if (key) return {field: 'ref', key}
  }
  return null
}

class Undecidable extends Error {}

/** `doc.a.b` as groq-js reads it, or Undecidable where groq-js would throw (an object with its own `hasOwnProperty`). */
function read(doc: unknown, path: readonly string[]): unknown {
  let value: unknown = doc
  for (const name of path) {
    if (value !== null && typeof value === 'object' && typeof (value as {hasOwnProperty?: unknown}).hasOwnProperty !== 'function') throw new Undecidable()
    value = readPath(value, [name])
    if (value === null) return null
  }
  return value
}

/** groq-js's isEqual between a document value and a constant (JSON values only). */
function groqEqual(value: unknown, constant: unknown): boolean {
  if (constant === null) return value === null
  if (typeof constant === 'object') return false
  return value === constant
}

/** groq-js's hasReference. */
function hasReference(value: unknown, targets: ReadonlySet<unknown>): boolean {
  if (Array.isArray(value)) return value.some((v) => hasReference(v, targets))
  if (value !== null && typeof value === 'object') {
    const ref = (value as Record<string, unknown>)._ref
    if (ref) return targets.has(ref)
    return Object.values(value).some((v) => hasReference(v, targets))
  }
  return false
}

type Predicate = (doc: LakeDocument) => boolean

/**
 * A filter the planner decides exactly as groq-js would, as a JS function: `==`, `!=` and `in`
 * between a path and constants, `defined(path)`, `references(constants)`, and `&&`, `||`, `!`
 * of those (all boolean-valued, so their logic is JS logic). Null for anything else.
 */
function exactFilter(n: Node): Predicate | null {
  const r = raw(n)
  switch (r.type) {
    case 'Group':
      return exactFilter(r.base as Node)
    case 'And':
    case 'Or': {
      const left = exactFilter(r.left as Node)
      const right = left && exactFilter(r.right as Node)
      if (!left || !right) return null
      return r.type === 'And' ? (doc) => left(doc) && right(doc) : (doc) => left(doc) || right(doc)
    }
    case 'Not': {
      const inner = exactFilter(r.base as Node)
      return inner && ((doc) => !inner(doc))
    }
    case 'Value':
      return typeof r.value === 'boolean' ? () => r.value as boolean : null
    case 'OpCall': {
      if (r.op === 'match') return exactMatch(r)
      if (r.op !== '==' && r.op !== '!=' && r.op !== 'in') return null
      const path = pathOf(r.left as Node)
      const constant = constantOf(r.right as Node)
      if (r.op === 'in') {
        if (!path || !constant || !Array.isArray(constant.value)) return null
        const values = constant.value
        return (doc) => {
          const value = read(doc, path)
          return values.some((c) => groqEqual(value, c))
        }
      }
      const flipped = !path ? pathOf(r.right as Node) : null
      const p = path ?? flipped
      const c = path ? constant : constantOf(r.left as Node)
      if (!p || !c) return null
      const equal = r.op === '=='
      return (doc) => groqEqual(read(doc, p), c.value) === equal
    }
    case 'FuncCall': {
      const args = r.args as Node[]
      if (isGlobalCall(r, 'defined') && args.length === 1) {
        const path = pathOf(args[0] as Node)
        return path && ((doc) => read(doc, path) !== null)
      }
      if (isGlobalCall(r, 'references')) {
        const targets = new Set<unknown>()
        for (const arg of args) {
          const constant = constantOf(arg)
          if (!constant) return null
          if (typeof constant.value === 'string') targets.add(constant.value)
          else if (Array.isArray(constant.value)) for (const v of constant.value) if (typeof v === 'string') targets.add(v)
        }
        return (doc) => targets.size > 0 && hasReference(doc, targets)
      }
      return null
    }
    default:
      return null
  }
}

/**
 * groq-js's `match` with attributes of `@` on the left and a constant pattern: the words of a
 * string (or of the strings of an array; from `[a, b]`, of the strings only), each pattern term
 * a case-insensitive regex that some word must match.
 */
function exactMatch(r: Raw): Predicate | null {
  const left = raw(r.left as Node)
  const listed = left.type === 'Array'
  const sources = listed ? (left.elements as Raw[]).map((e) => (e.isSplat ? null : pathOf(e.value as Node))) : [pathOf(r.left as Node)]
  if (sources.some((p) => p === null)) return null
  const paths = sources as string[][]
  const pattern = constantOf(r.right as Node)
  if (!pattern) return null
  const texts = typeof pattern.value === 'string' ? [pattern.value] : Array.isArray(pattern.value) ? pattern.value : null
  if (!texts || !texts.every((t) => typeof t === 'string')) return () => false
  const regexes = (texts as string[]).flatMap(matchTerms).map(termRegex)
  if (regexes.length === 0) return () => false
  return (doc) => {
    const words: string[] = []
    for (const path of paths) {
      const value = read(doc, path)
      if (typeof value === 'string') words.push(...matchTokens(value))
      else if (!listed && Array.isArray(value)) for (const item of value) if (typeof item === 'string') words.push(...matchTokens(item))
    }
    return words.length > 0 && regexes.every((re) => words.some((word) => re.test(word)))
  }
}

/** The indexed sort key an `order()` argument names, with its direction. */
function sortKeyOf(arg: Node): {key: SortKey; desc: boolean} | null {
  let r = raw(arg)
  const desc = r.type === 'Desc'
  if (r.type === 'Desc' || r.type === 'Asc') r = raw(r.base as Node)
  let fields: string[] | null = null
  if (isGlobalCall(r, 'coalesce')) {
    const paths = (r.args as Node[]).map(pathOf)
    if (paths.every((p) => p !== null && p.length === 1)) fields = paths.map((p) => (p as string[])[0] as string)
  } else {
    const path = pathOf(node(r))
    if (path && path.length === 1) fields = path
  }
  const key = fields && SORT_KEYS.find((k) => k.fields.length === fields.length && k.fields.every((f, i) => f === fields[i]))
  return key ? {key, desc} : null
}

function slugOf(doc: LakeDocument): unknown {
  const slug = doc.slug
  return slug !== null && typeof slug === 'object' && !Array.isArray(slug) ? (slug as Record<string, unknown>).current : undefined
}

const EVERYTHING = node({type: 'Everything'})

/** The `coalesce` nodes hooked() made: their second argument is the fallback to `*` (see fastPath.ts). */
const hookedNodes = new WeakSet<Node>()

/** `coalesce(<lookup>, fallback)`: the lookup is a `->` the dereference hook answers. */
function hooked(ref: Node, fallback: Node): Node {
  const lookup = {type: 'Deref', base: {type: 'Object', attributes: [{type: 'ObjectAttributeValue', name: '_ref', value: ref}]}}
  const out = node({type: 'FuncCall', namespace: 'global', name: 'coalesce', args: [lookup, fallback]})
  hookedNodes.add(out)
  return out
}

const isHooked = (n: Node): boolean => hookedNodes.has(n)

type Scope = 'plain' | 'hidden' | 'unknown'

/** One query's plan: the rewritten tree and the lookups it calls back into. */
export class Plan {
  readonly stats: PlanStats = {plans: [], narrowed: 0, declined: 0, derefs: 0, fast: {taken: false}}
  readonly tree: Node
  private readonly resolvers: Array<(key: string | null) => unknown> = []
  private ordered = 0

  constructor(
    tree: Node,
    readonly query: QueryView,
  ) {
    this.tree = this.rewrite(tree, 'plain')
  }

  /** groq-js's `dereference` option: planned lookups by their prefix, `->` by `_id`. */
  readonly dereference = ({_ref: ref}: {_ref: string}): unknown => {
    if (!ref.startsWith(PREFIX)) {
      this.stats.derefs++
      return this.query.get(ref) ?? null
    }
    const rest = ref.slice(PREFIX.length)
    const colon = rest.indexOf(':')
    const resolve: ((key: string | null) => unknown) | undefined = this.resolvers[Number(colon < 0 ? rest : rest.slice(0, colon))]
    let answer: unknown = null
    try {
      if (resolve !== undefined && !this.query.changed) answer = resolve(colon < 0 ? null : rest.slice(colon + 1))
    } catch (err) {
      if (!(err instanceof Undecidable)) throw err
    }
    if (answer === null) this.stats.declined++
    else this.stats.narrowed++
    return answer
  }

  /** For the fast path: as dereference, but a declined lookup gives way instead of letting groq-js scan `*`. */
  readonly strictDereference = (ref: {_ref: string}): unknown => {
    const answer = this.dereference(ref)
    if (answer === null && ref._ref.startsWith(PREFIX)) throw new GiveWay('declined')
    return answer
  }

  private register(name: string, resolve: (key: string | null) => unknown): number {
    this.stats.plans.push(name)
    return this.resolvers.push(resolve) - 1
  }

  private rewrite(n: Node, scope: Scope): Node {
    const r = raw(n)
    switch (r.type) {
      case 'Value':
      case 'Everything':
      case 'This':
      case 'Parent':
      case 'Parameter':
      case 'Context':
        return n
      case 'Filter': {
        const base = raw(r.base as Node).type === 'Everything' ? this.planFilter(r.expr as Node, scope) : this.rewrite(r.base as Node, scope)
        return node({...r, base, expr: this.rewrite(r.expr as Node, 'plain')})
      }
      case 'Projection':
        return node({...r, base: this.rewrite(r.base as Node, scope), expr: this.rewrite(r.expr as Node, 'plain')})
      case 'Map':
      case 'FlatMap':
        return node({...r, base: this.rewrite(r.base as Node, scope), expr: this.rewrite(r.expr as Node, 'hidden')})
      case 'PipeFuncCall':
        return node({...r, base: this.rewrite(r.base as Node, scope), args: (r.args as Node[]).map((a) => this.rewrite(a, 'plain'))})
      case 'Slice':
      case 'AccessElement':
        return this.planOrdered(r, scope) ?? this.generic(r, scope)
      case 'FuncCall':
        if (isGlobalCall(r, 'count') && (r.args as Node[]).length === 1) return this.planCount(r, scope)
        // diff:: functions evaluate their arguments in scopes of their own.
        return this.generic(r, r.namespace === 'diff' ? 'unknown' : scope)
      default:
        return this.generic(r, scope)
    }
  }

  private generic(r: Raw, scope: Scope): Node {
    const out: Raw = {...r}
    for (const key of Object.keys(r)) {
      const value = r[key]
      if (Array.isArray(value)) out[key] = value.map((v) => (isNode(v) ? this.rewrite(v, scope) : v))
      else if (isNode(value)) out[key] = this.rewrite(value, scope)
    }
    return node(out)
  }

  /** The input of `*[expr]`: `*`, or candidates from the indexes. */
  private planFilter(expr: Node, scope: Scope): Node {
    const lookups: Lookup[] = []
    let correlated: {field: Field; key: Node} | null = null
    for (const c of conjuncts(expr)) {
      const lookup = lookupOf(c)
      if (lookup) lookups.push(lookup)
      // `^` means the scope around the filter only where no hidden (map) scope is in between.
      else if (!correlated && scope === 'plain') correlated = correlatedOf(c)
    }
    if (lookups.length === 0 && !correlated) return EVERYTHING
    // Where the planner decides the filter exactly, groq-js gets only documents that pass it;
    // a lone `_type == …` is decided by its lookup already (candidates can then share a type's list).
    const typeOnly = lookups.length === 1 && lookups[0]?.field === 'type' && conjuncts(expr).length === 1
    const predicate = typeOnly ? undefined : (exactFilter(expr) ?? undefined)
    if (!correlated) {
      let cached: readonly LakeDocument[] | null = null
      const i = this.register(`filter:${lookups.map((l) => l.field).join('+')}`, () => (cached ??= this.candidates(lookups, {predicate})))
      return hooked(node({type: 'Value', value: `${PREFIX}${i}`}), EVERYTHING)
    }
    const {field, key} = correlated
    const i = this.register(`filter:^${field}${lookups.map((l) => `+${l.field}`).join('')}`, (value) =>
      value === null ? null : this.candidates([...lookups, {field, keys: [value]}]),
    )
    // A key that is not a string makes `+` null, the lookup null, and the input `*`.
    return hooked(node({type: 'OpCall', op: '+', left: {type: 'Value', value: `${PREFIX}${i}:`}, right: key}), EVERYTHING)
  }

  /** `count(*)` and `count(*[exact filter])`. */
  private planCount(r: Raw, scope: Scope): Node {
    const original = this.generic(r, scope)
    const arg = raw((r.args as Node[])[0] as Node)
    const view = this.query.view
    if (arg.type === 'Everything') {
      return hooked(node({type: 'Value', value: `${PREFIX}${this.register('count', () => view.size())}`}), original)
    }
    if (arg.type !== 'Filter' || raw(arg.base as Node).type !== 'Everything') return original
    const predicate = exactFilter(arg.expr as Node)
    if (!predicate) return original
    const parts = conjuncts(arg.expr as Node)
    const lookups = parts.map(lookupOf)
    const typeOnly = parts.length === 1 && lookups[0]?.field === 'type' ? (lookups[0] as {keys: string[]}).keys : null
    const i = this.register('count', () => {
      if (typeOnly) return typeOnly.reduce((sum, type) => sum + view.typeCount(type), 0)
      const usable = lookups.filter((l): l is Lookup => l !== null)
      if (usable.length > 0) return this.candidates(usable, {predicate})?.length ?? null
      let count = 0
      for (const doc of this.query.docs()) if (predicate(doc)) count++
      return count
    })
    return hooked(node({type: 'Value', value: `${PREFIX}${i}`}), original)
  }

  /**
   * `*[exact filter][a...b]` (or `[i]`), and the same after `| order(key, …)` with `key` sorted
   * in an index: only the first b documents (in `*`'s order, or in key order) matter.
   */
  private planOrdered(r: Raw, scope: Scope): Node | null {
    let need: number
    if (r.type === 'Slice') {
      const left = r.left as number
      const right = r.right as number
      // Negative bounds count from the end: the whole match set is needed.
      if (!Number.isInteger(left) || !Number.isInteger(right) || left < 0 || right < 0) return null
      need = right + (r.isInclusive ? 1 : 0)
    } else {
      const index = r.index as number
      if (!Number.isInteger(index) || index < 0) return null
      need = index + 1
    }
    const base = raw(r.base as Node)
    const order = base.type === 'PipeFuncCall' && base.name === 'order' ? base : null
    const filter = raw((order ? order.base : r.base) as Node)
    if (filter.type !== 'Filter' || raw(filter.base as Node).type !== 'Everything' || this.ordered >= MAX_ORDERED_PLANS) return null
    const args = order ? (order.args as Node[]) : []
    const sort = order ? (args.length > 0 ? sortKeyOf(args[0] as Node) : null) : null
    const predicate = exactFilter(filter.expr as Node)
    if ((order && !sort) || !predicate) return null
    this.ordered++
    const lookups = conjuncts(filter.expr as Node)
      .map(lookupOf)
      .filter((l): l is Lookup => l !== null)
    let cached: readonly LakeDocument[] | null = null
    const name = sort ? `order:${sort.key.fields.join(',')}` : 'first'
    const i = this.register(name, () => (cached ??= sort ? this.firstInOrder(lookups, sort.key, sort.desc, predicate, need) : this.firstMatches(lookups, predicate, need)))
    const input = hooked(node({type: 'Value', value: `${PREFIX}${i}`}), EVERYTHING)
    const planned = node({...filter, base: input, expr: this.rewrite(filter.expr as Node, 'plain')})
    return node({...r, base: order ? {...order, base: planned, args: args.map((a) => this.rewrite(a, 'plain'))} : planned})
  }

  /** The first `need` documents of `*` that `predicate` accepts, in `*`'s order. */
  private firstMatches(lookups: readonly Lookup[], predicate: Predicate, need: number): readonly LakeDocument[] | null {
    if (lookups.length > 0) return this.candidates(lookups, {predicate, first: need})
    const out: LakeDocument[] = []
    if (need === 0) return out
    for (const doc of this.query.docs()) {
      if (!predicate(doc)) continue
      if (out.push(doc) >= need) break
    }
    return out
  }

  /**
   * The documents `order(key)` puts first among those `predicate` accepts: walk the sorted
   * index until `need` of them pass, then take those tied with the last on `key` (groq-js
   * orders ties by `_id`, and later keys may reorder them). Returned in `*`'s order.
   */
  private firstInOrder(lookups: readonly Lookup[], key: SortKey, desc: boolean, predicate: Predicate, need: number): readonly LakeDocument[] | null {
    const view = this.query.view
    const few = this.candidates(lookups, {predicate, limit: 4 * need + 256})
    if (few) return few
    const type = lookups.find((l) => l.field === 'type' && l.keys.length === 1) as {keys: string[]} | undefined
    // A stack shows documents under other ids than they are stored under: the `_id` index does not follow it.
    const list = view.stacked && key.fields[0] === '_id' ? null : view.store.indexes.sorted(key, type?.keys[0] ?? null)
    if (!list) return this.candidates(lookups, {predicate})
    const out: LakeDocument[] = []
    let boundary: unknown = undefined
    const visit = (stored: LakeDocument): boolean => {
      if (boundary !== undefined && totalCompare(sortValue(stored, key), boundary) !== 0) return false
      const doc = view.shownAs(stored)
      if (doc && predicate(doc)) {
        out.push(doc)
        if (out.length === need && boundary === undefined) boundary = sortValue(stored, key)
      }
      return true
    }
    if (need > 0) {
      if (desc) {
        for (let i = list.length - 1; i >= 0; i--) if (!visit(list[i] as LakeDocument)) break
      } else {
        for (const stored of list) if (!visit(stored)) break
      }
    }
    return out.sort(byId)
  }

  /**
   * Every document of the view the lookups allow (and `predicate` accepts), in `_id` order: a
   * superset of what the filter accepts. Null without a usable lookup, or with more than `limit`
   * candidates. `first`: only the first so many.
   */
  private candidates(lookups: readonly Lookup[], options: {predicate?: Predicate; limit?: number; first?: number} = {}): readonly LakeDocument[] | null {
    const view = this.query.view
    const indexes = view.store.indexes
    let best: {size: number; docs: () => Iterable<LakeDocument | undefined>; type?: string} | null = null
    const tests: Array<(doc: LakeDocument) => boolean> = []
    const fromStored = function* (ids: Iterable<string>): Iterable<LakeDocument | undefined> {
      for (const id of ids) {
        const stored = view.store.get(id)
        yield stored && view.shownAs(stored)
      }
    }
    for (const lookup of lookups) {
      let size: number
      let docs: () => Iterable<LakeDocument | undefined>
      let test: (doc: LakeDocument) => boolean
      if (lookup.field === 'words') {
        const ids = this.wordMatches(lookup.fields, lookup.terms)
        if (!ids) continue
        size = ids.size
        docs = () => fromStored(ids)
        test = (doc) => ids.has(view.sourceOf(doc)._id)
      } else if (lookup.field === 'id') {
        const keys = new Set(lookup.keys)
        size = keys.size
        docs = () => [...keys].map((id) => view.get(id))
        test = (doc) => keys.has(doc._id)
      } else {
        const keys = lookup.keys
        const index = lookup.field === 'type' ? indexes.byType : lookup.field === 'slug' ? indexes.bySlug : indexes.refsTo
        size = keys.reduce((sum, k) => sum + index.count(k), 0)
        docs = () => fromStored(keys.flatMap((k) => [...index.ids(k)]))
        const keySet = new Set<unknown>(keys)
        test =
          lookup.field === 'type'
            ? (doc) => keySet.has(doc._type)
            : lookup.field === 'slug'
              ? (doc) => keySet.has(slugOf(doc))
              : (doc) => keys.some((k) => index.has(k, view.sourceOf(doc)._id))
        if (lookup.field === 'type' && keys.length === 1 && (!best || size < best.size)) {
          tests.push(test)
          best = {size, docs, type: keys[0]}
          continue
        }
      }
      tests.push(test)
      if (!best || size < best.size) best = {size, docs}
    }
    if (!best || best.size > (options.limit ?? Infinity)) return null
    const {predicate, first = Infinity} = options
    const accepts = (doc: LakeDocument): boolean => tests.every((test) => test(doc)) && (!predicate || predicate(doc))
    const out: LakeDocument[] = []
    if (first === 0) return out
    // Many documents of one type: read them in `_id` order from the index rather than sort them.
    if (best.type !== undefined && best.size > SORT_AT_MOST && !view.stacked) {
      // Nothing else to check: the type's list is the answer, shared, not walked (it runs unsliced).
      const whole = tests.length === 1 && !predicate && first === Infinity ? indexes.ofType(view.visibility, best.type) : null
      if (whole) return whole
      for (const stored of indexes.sorted(SORT_KEYS[0] as SortKey, best.type) ?? []) {
        const doc = view.shownAs(stored)
        if (doc && accepts(doc) && out.push(doc) >= first) break
      }
      return out
    }
    const seen = new Set<LakeDocument>()
    for (const doc of best.docs()) {
      if (!doc || seen.has(doc)) continue
      seen.add(doc)
      if (accepts(doc)) out.push(doc)
    }
    out.sort(byId)
    return first < out.length ? out.slice(0, first) : out
  }

  /** Stored ids whose words match every term in one of `fields`; null when a field has no word index. */
  private wordMatches(fields: readonly string[], terms: readonly string[]): Set<string> | null {
    const indexes = this.query.view.store.indexes
    const perField = fields.map((f) => indexes.wordIndex(f))
    if (perField.some((index) => index === null)) return null
    let result: Set<string> | undefined
    for (const term of terms) {
      const ids = new Set<string>()
      for (const index of perField) {
        if (!index) continue
        if (isPlainTerm(term)) {
          for (const id of index.ids(foldWord(term))) ids.add(id)
        } else {
          const re = termRegex(term)
          for (const word of index.keys()) if (re.test(word)) for (const id of index.ids(word)) ids.add(id)
        }
      }
      const narrowed: Set<string> = result === undefined ? ids : new Set([...result].filter((id) => ids.has(id)))
      result = narrowed
      if (narrowed.size === 0) break
    }
    return result ?? new Set()
  }
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && typeof (value as {type?: unknown}).type === 'string'
}

const byId = (a: LakeDocument, b: LakeDocument): number => (a._id < b._id ? -1 : a._id > b._id ? 1 : 0)

/**
 * `*` for groq-js: an array that builds the view's documents only when groq-js first reads it
 * (a planned point query never does). A Proxy, because groq-js needs a real array there.
 */
function lazyDocs(query: QueryView): unknown[] {
  return new Proxy([] as unknown[], {
    get(_, prop) {
      // fromJS() asks whether the dataset is an iterator; an array is not, and asking must not build it.
      if (prop === 'next' || prop === 'then') return undefined
      const docs = query.docs()
      const value = Reflect.get(docs, prop)
      return typeof value === 'function' ? value.bind(docs) : value
    },
    has: (_, prop) => Reflect.has(query.docs(), prop),
    ownKeys: () => Reflect.ownKeys(query.docs()),
    getOwnPropertyDescriptor: (_, prop) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(query.docs(), prop)
      // The target's `length` is not configurable: report it as the target does.
      return prop === 'length' && descriptor ? {...descriptor, configurable: false} : descriptor && {...descriptor, configurable: true}
    },
  })
}

export interface QueryRun {
  result: unknown
  stats: PlanStats
}

/**
 * Plans `tree` over `view` and evaluates it with groq-js: synchronously where the fast path
 * (fastPath.ts) may, else with evaluateQuery (deadline, slices and all).
 */
export async function runQuery(tree: Node, view: View, ctx: Omit<QueryContext, 'dataset' | 'dereference'>): Promise<QueryRun> {
  const query = new QueryView(view)
  try {
    const plan = new Plan(tree, query)
    const fast = fastTree(plan.tree, isHooked)
    if ('tree' in fast) {
      const answer = evaluateFast(fast.tree, ctx, plan.strictDereference, plan.stats.fast)
      if (answer) return {result: answer.result, stats: plan.stats}
    } else plan.stats.fast.why = fast.refused
    const dataset = lazyDocs(query)
    // groq-js hands what `dereference` returns to fromJS: lists and counts pass through like documents.
    const result = await evaluateQuery(plan.tree, {...ctx, dataset, dereference: plan.dereference as DereferenceFunction})
    return {result: result === dataset ? query.docs() : result, stats: plan.stats}
  } finally {
    query.close()
  }
}
