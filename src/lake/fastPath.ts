import {evaluateSync, type DereferenceFunction, type ExprNode} from 'groq-js'
import {randomBytes} from 'node:crypto'
import {SLICE_MS} from './deadline'

/*
 * The synchronous fast path. groq-js's async evaluator makes promises and async generators for
 * every value, which costs more than finding the documents once the planner hands them over.
 * groq-js also has a synchronous evaluator (evaluateSync): the same executors, node for node,
 * without promises. Over arrays (no streams) the two agree on every node type, except the
 * functions only the async one has (diff::, delta::), so the fast path evaluates a planned query
 * with it when that is exactly groq-js's answer and cannot take long:
 *
 * - every `*` of the query is one the planner answers from the indexes (a candidate list or a
 *   count); a `*` it leaves to groq-js, or a planner lookup it declines at run time, is a scan,
 *   and the query goes to the sliced async path instead;
 * - no `diff::` or `delta::` function (async only) and no `releases::all()` (it reads `*`);
 * - no loop that walks, for each element, a value from outside it (`^`, a large constant),
 *   and a query of at most FAST_MAX_QUERY_WEIGHT: then the work is linear in the documents
 *   handed over (fastTree);
 * - at most FAST_MAX_DOCS documents handed to groq-js (candidates and `->` targets) and
 *   FAST_MAX_MS of CPU time: past either the evaluation gives way, and the query runs on the
 *   sliced path, so no fast evaluation holds the lake's thread much longer than a slice or two.
 *
 * An error of any kind also gives way: the sliced path then answers with groq-js's own error.
 */

/** Documents (candidates handed over and `->` lookups) a fast evaluation may read. */
export const FAST_MAX_DOCS = 5_000
/**
 * CPU time a fast evaluation may take before it gives way to the sliced path: two slices, as a
 * major garbage collection may fall into it. CPU, not wall-clock time: on a busy machine the wall
 * clock runs on while the lake waits for a core, and the work thrown away would only add to it.
 */
export const FAST_MAX_MS = 2 * SLICE_MS
/** Size of the query (nodes, and the items and text of its constants and parameters) the fast path takes. */
export const FAST_MAX_QUERY_WEIGHT = 2_000
/** A constant (or parameter) walked once per element of a loop, e.g. `$ids` in `*[_id in $ids]`, may have this many items. */
const MAX_LOOP_CONSTANT = 256
/** Lookups between two looks at the clock. */
const CHECK_EVERY = 32

/** A fast evaluation that stops and lets the sliced path answer. */
export class GiveWay extends Error {
  constructor(readonly why: string) {
    super(`fast path gave way: ${why}`)
  }
}

type Node = ExprNode
type Raw = {type: string; [key: string]: unknown}

/** What the fast path did for one query: taken, or why not (`refused:…` before starting, `gave way:…` during). */
export interface FastStats {
  taken: boolean
  why?: string
}

/** A `_ref` nothing else can produce: the fast tree's stand-in for a planner's fallback to `*`. */
const FALLBACK_REF = `\u0000lake-fast-${randomBytes(12).toString('hex')}`
const FALLBACK: Node = {type: 'Deref', base: {type: 'Object', attributes: [{type: 'ObjectAttributeValue', name: '_ref', value: {type: 'Value', value: FALLBACK_REF}}]}} as unknown as Node

/** Async only in groq-js (diff::, delta::), or a scan of `*` the planner cannot see (releases::all). */
function refusedCall(r: Raw): string | null {
  if (r.type !== 'FuncCall') return null
  if (r.namespace === 'diff' || r.namespace === 'delta') return `${r.namespace}::${r.name as string}`
  if (r.namespace === 'releases') return 'releases::all'
  return null
}

function isNode(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && typeof (value as {type?: unknown}).type === 'string'
}

/** Children groq-js evaluates once per element of the node's base (or per document of a projection). */
const PER_ELEMENT: Readonly<Record<string, string>> = {Filter: 'expr', Map: 'expr', FlatMap: 'expr', Projection: 'expr', PipeFuncCall: 'args'}

/** Nodes whose value is read from their `base`: a walked value's size is its base's. */
const THROUGH_BASE = new Set(['AccessAttribute', 'AccessElement', 'Slice', 'Filter', 'Map', 'FlatMap', 'Projection', 'ArrayCoerce', 'Group', 'PipeFuncCall', 'Deref'])

/** Where a value comes from: `This` (the element itself), `Parent`, `Parameter`, a literal, a lookup… */
function rootOf(n: Raw): Raw {
  let at = n
  while (THROUGH_BASE.has(at.type)) {
    if (!at.base) return {type: 'This'}
    at = at.base as Raw
  }
  return at
}

/** `^._id` (or `^.^._id`): an enclosing document's id, a string; what correlated lookups read. */
function isOuterId(n: Raw): boolean {
  return n.type === 'AccessAttribute' && n.name === '_id' && isNode(n.base) && n.base.type === 'Parent'
}

/** The operands a node walks through (arrays element by element, objects key by key, texts word by word). */
function walkedOperands(r: Raw): Raw[] {
  switch (r.type) {
    case 'Filter':
    case 'Map':
    case 'FlatMap':
    case 'Projection':
    case 'PipeFuncCall':
    case 'Slice':
      return isNode(r.base) ? [r.base] : []
    case 'ArrayElement':
      return r.isSplat ? [r.value as Raw] : []
    case 'ObjectSplat':
    case 'ObjectConditionalSplat':
      return [r.value as Raw]
    case 'OpCall':
      return r.op === 'in' ? [r.right as Raw] : r.op === '+' || r.op === 'match' ? [r.left as Raw, r.right as Raw] : []
    case 'FuncCall':
      if (r.namespace === 'global' && (r.name === 'coalesce' || r.name === 'defined')) return []
      return (r.args as Raw[]).filter((a) => !(r.name === 'references' && isOuterId(a)))
    default:
      return []
  }
}

/** A value's share of FAST_MAX_QUERY_WEIGHT: an element per array item and object key, a string per 16 characters. */
function weightOf(value: unknown, budget: number): number {
  if (typeof value === 'string') return 1 + (value.length >> 4)
  if (value === null || typeof value !== 'object') return 1
  let weight = 1
  for (const item of Array.isArray(value) ? value : Object.values(value)) {
    weight += weightOf(item, budget - weight)
    if (weight > budget) break
  }
  return weight
}

/** Why a node evaluated once per element may not run on the fast path: it walks a value from outside the element. */
function loopRefusal(n: Raw): string | null {
  for (const operand of walkedOperands(n)) {
    const root = rootOf(operand)
    if (root.type === 'Parent' || root.type === 'Parameter') return 'outer value in a loop'
    const size = root.type === 'Value' ? weightOf(root.value, MAX_LOOP_CONSTANT) : root.type === 'Array' ? (root.elements as Raw[]).reduce((sum, e) => sum + (isNode(e.value) && e.value.type === 'Value' ? weightOf(e.value.value, MAX_LOOP_CONSTANT) : 1), 0) : 0
    if (size > MAX_LOOP_CONSTANT) return 'large constant in a loop'
  }
  return null
}

/**
 * The planned tree for evaluateSync: each planner lookup's fallback to `*` (the second argument
 * of a hooked `coalesce`) becomes FALLBACK, which gives way when reached. Refused (with the
 * reason) when the tree
 * - has any other `*`, or a function the fast path does not run (refusedCall);
 * - walks, once per element of something, a value from outside that element (`^`, or a constant
 *   or parameter of more than MAX_LOOP_CONSTANT items, as in `_id in $ids`): such work multiplies
 *   with the data's size, where the sliced path can pause and stop;
 * - is larger than FAST_MAX_QUERY_WEIGHT (parameters are part of the tree), for the same reason.
 */
export function fastTree(tree: Node, isHooked: (n: Node) => boolean): {tree: Node} | {refused: string} {
  let refused: string | null = null
  let weight = 0
  const walk = (n: Raw, perElement: boolean): Raw => {
    if (refused) return n
    weight += n.type === 'Value' ? weightOf(n.value, FAST_MAX_QUERY_WEIGHT) : 1
    if (weight > FAST_MAX_QUERY_WEIGHT) refused = 'large query'
    else if (n.type === 'Everything') refused = 'scan'
    else if (perElement) refused = loopRefusal(n)
    if (!refused) refused = refusedCall(n)
    if (refused) return n
    if (isHooked(n as unknown as Node)) {
      const [lookup] = n.args as Raw[]
      return {...n, args: [walk(lookup as Raw, perElement), FALLBACK]}
    }
    let out: Raw | null = null
    for (const key of Object.keys(n)) {
      const value = n[key]
      const inner = perElement || PER_ELEMENT[n.type] === key
      if (Array.isArray(value)) {
        const mapped = value.map((v) => (isNode(v) ? walk(v, inner) : v))
        if (mapped.some((v, i) => v !== value[i])) (out ??= {...n})[key] = mapped
      } else if (isNode(value)) {
        const mapped = walk(value, inner)
        if (mapped !== value) (out ??= {...n})[key] = mapped
      }
    }
    return out ?? n
  }
  const out = walk(tree as unknown as Raw, false)
  return refused ? {refused: `refused:${refused as string}`} : {tree: out as unknown as Node}
}

/** `*` for the fast path: never read (fastTree made sure); were it read, the evaluation gives way rather than see nothing. */
const NO_DATASET: unknown[] = new Proxy([] as unknown[], {
  get(_, prop) {
    // fromJS() asks whether the dataset is an iterator; that is not a read.
    if (prop === 'next' || prop === 'then') return undefined
    throw new GiveWay('scan')
  },
})

/** The process's CPU time (user and system), ms. */
function cpuMs(): number {
  const {user, system} = process.cpuUsage()
  return (user + system) / 1000
}

export interface FastContext {
  params: Record<string, unknown>
  identity: string
  projectId: string
  datasetName: string
}

/**
 * Evaluates `tree` (from fastTree) synchronously. `dereference` is the plan's, answering planner
 * lookups and `->`; it must throw GiveWay where it would let groq-js scan `*` instead. Returns
 * the result, or null when the evaluation gave way (stats.why says why).
 */
export function evaluateFast(tree: Node, ctx: FastContext, dereference: (ref: {_ref: string}) => unknown, stats: FastStats): {result: unknown} | null {
  // The CPU clock is a system call: it is read only once half the limit has passed on the wall
  // clock; the work before that counts at its wall time, at least the CPU time it took.
  const wallStart = performance.now()
  let start = Number.NaN
  let docs = 0
  let countdown = CHECK_EVERY
  const counted = ({_ref: ref}: {_ref: string}): unknown => {
    if (ref === FALLBACK_REF) throw new GiveWay('declined')
    const answer = dereference({_ref: ref})
    docs += Array.isArray(answer) ? answer.length : 1
    if (docs > FAST_MAX_DOCS) throw new GiveWay('docs')
    if (--countdown === 0) {
      countdown = CHECK_EVERY
      const wall = performance.now() - wallStart
      if (wall > FAST_MAX_MS / 2) {
        if (Number.isNaN(start)) start = cpuMs() - wall
        else if (cpuMs() - start > FAST_MAX_MS) throw new GiveWay('time')
      }
    }
    return answer
  }
  try {
    const value = evaluateSync(tree, {
      dataset: NO_DATASET,
      params: ctx.params,
      identity: ctx.identity,
      sanity: {projectId: ctx.projectId, dataset: ctx.datasetName},
      dereference: counted as DereferenceFunction,
    })
    stats.taken = true
    return {result: value.data}
  } catch (err) {
    stats.why = err instanceof GiveWay ? `gave way:${err.why}` : 'gave way:error'
    return null
  }
}
