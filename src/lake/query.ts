import {evaluate, parse, type DereferenceFunction, type ExprNode} from 'groq-js'
import {QueryTimeout, withDeadline} from './deadline'
import {apiError, type LakeError} from './errors'
import {DEFAULT_LIMITS, LIMIT_ENV} from './limits'

export interface QueryContext {
  dataset: readonly unknown[]
  params: Record<string, unknown>
  identity: string
  projectId: string
  datasetName: string
  /** Time the evaluation may take; default: the lake's LAKE_QUERY_TIMEOUT_MS (setQueryTimeout). */
  timeoutMs?: number
  /** Resolves `->` (and the planner's lookups, planner.ts) instead of a scan of `dataset`. */
  dereference?: DereferenceFunction
}

let queryTimeoutMs = DEFAULT_LIMITS.queryTimeoutMs

/** Sets the deadline of every GROQ evaluation in this process (the lake's limits, at start-up). */
export function setQueryTimeout(ms: number): void {
  queryTimeoutMs = ms
}

/**
 * 422 like queryResultTooLarge: the query, not the server, has to change. Not 408 (a slow request
 * body, which browsers may resend) nor 502/503 (which @sanity/client retries on queries, five times).
 */
export function queryTimeoutError(ms: number): LakeError {
  return apiError(
    422,
    'queryTimeout',
    `Query took longer than ${ms} ms, the local lake's limit (${LIMIT_ENV.queryTimeoutMs}), and was stopped; narrow it (filter on _type or _id first, avoid subqueries nested in filters such as *[_id in *[...]._id]) or raise the limit`,
    {timeoutMs: ms},
  )
}

function parseErrorBody(query: string, description: string, start: number, end: number) {
  return apiError(400, 'queryParseError', description, {query, start, end})
}

/** Names of all `$params` the query refers to. */
function referencedParams(node: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(node)) {
    for (const child of node) referencedParams(child, into)
  } else if (node !== null && typeof node === 'object') {
    const obj = node as Record<string, unknown>
    if (obj.type === 'Parameter' && typeof obj.name === 'string') into.add(obj.name)
    for (const key in obj) referencedParams(obj[key], into)
  }
  return into
}

/**
 * Parses a GROQ query, failing like Sanity: a syntax error is a 400 `queryParseError`
 * with the position, and so is a `$param` the query uses but the request does not give
 * (groq-js would silently read it as null).
 */
export function parseQuery(query: unknown, params: Record<string, unknown>): ExprNode {
  if (typeof query !== 'string' || query.trim() === '') {
    throw apiError(400, 'httpBadRequest', 'Missing or empty "query": give a GROQ query, e.g. ?query=*[_type=="article"]')
  }
  let tree: ExprNode
  try {
    tree = parse(query, {params})
  } catch (err) {
    const e = err as {name?: string; message?: string; position?: number}
    if (e.name === 'GroqSyntaxError' || typeof e.position === 'number') {
      const start = typeof e.position === 'number' ? e.position : 0
      const detail = (e.message ?? 'syntax error').replace(/^Syntax error in GROQ query at position \d+: /, '')
      throw parseErrorBody(query, detail, start, Math.min(start + 1, query.length))
    }
    throw parseErrorBody(query, e.message ?? 'unable to parse query', 0, query.length)
  }
  for (const name of referencedParams(tree)) {
    if (!(name in params)) {
      const at = query.indexOf(`$${name}`)
      const start = at >= 0 ? at : 0
      throw parseErrorBody(query, `param $${name} referenced, but not provided`, start, start + name.length + 1)
    }
  }
  return tree
}

/**
 * Evaluates with groq-js under the deadline: other requests are served while it runs, and at
 * the deadline it is stopped and fails with a 422 `queryTimeout`.
 */
export async function evaluateQuery(tree: ExprNode, ctx: QueryContext): Promise<unknown> {
  const ms = ctx.timeoutMs ?? queryTimeoutMs
  try {
    return await withDeadline(ms, async () => {
      const value = await evaluate(tree, {
        dataset: ctx.dataset,
        params: ctx.params,
        identity: ctx.identity,
        sanity: {projectId: ctx.projectId, dataset: ctx.datasetName},
        dereference: ctx.dereference,
      })
      return await value.get()
    })
  } catch (err) {
    if (err instanceof QueryTimeout) throw queryTimeoutError(err.timeoutMs)
    throw apiError(400, 'queryExecutionError', `Query failed: ${(err as Error).message}`)
  }
}

/** Does `doc` match a listener's query (`*[filter]`, optionally with a projection)? One that times out does not. */
export async function matchesQuery(tree: ExprNode, doc: unknown, params: Record<string, unknown>): Promise<boolean> {
  if (doc === null || doc === undefined) return false
  try {
    const value = await withDeadline(queryTimeoutMs, async () => (await evaluate(tree, {dataset: [doc], params})).get())
    return Array.isArray(value) ? value.length > 0 : value !== null && value !== undefined && value !== false
  } catch {
    return false
  }
}
