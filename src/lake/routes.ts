import type {ServerResponse} from 'node:http'
import type {Http2ServerResponse} from 'node:http2'
import {performance} from 'node:perf_hooks'
import {accessOf, type Access} from './auth'
import {LAKE_HEADER} from './discover'
import {apiVersionOf} from './apiVersion'
import {corsHeaders, hostProblem, type OriginPolicy} from './origin'
import type {Dataset} from './dataset'
import {apiError, badRequest, gatewayError, LakeError} from './errors'
import {asResponse, flag, jsonFits, readJson, sendError, sendJson, type LakeRequest, type LakeResponse} from './http'
import {decodeSegment, idProblem, isRootPathId} from './ids'
import {parseClientJson} from './json'
import {planActions} from './actions'
import {serveListener, type ListenerHub} from './listen'
import {serveLiveEvents} from './liveEvents'
import {accessKind, bodyLimitFor, formatBytes, LIMIT_ENV, type BodyLimit, type LakeLimits, type Usage} from './limits'
import {planTransaction, validateVisibility} from './mutations'
import {parsePerspective, viewIdOf, type Perspective} from './perspective'
import {runQuery} from './planner'
import {parseQuery} from './query'
import {staticReads, syncTagsOf, tracingView} from './syncTags'
import type {LakeDocument} from './store'
import {KeyValues} from './keyValues'
import {LOCAL_USER_ID, localUser, routeStudio} from './studio'
import {handleAssetUpload, routeAssetFiles} from './assets'
import {viewOf, type View} from './views'

export interface LakeContext {
  dataset: Dataset
  projectId: string
  datasetName: string
  token: string
  /** Where the token lives, for error messages (never the token itself). */
  tokenHint: string
  /** Resource limits (limits.ts) and what is in use against them. */
  limits: LakeLimits
  usage: Usage
  keepAliveMs: number
  listeners: ListenerHub
  /** Which Host names and browser origins are served (origin.ts). */
  origins: OriginPolicy
  log: (line: string) => void
}

interface Call {
  ctx: LakeContext
  req: LakeRequest
  res: LakeResponse
  url: URL
  method: string
  apiVersion: string
  access: Access
  identity: string
}

const LOCAL_IDENTITY = LOCAL_USER_ID

function requireToken(call: Call, what: string): void {
  if (call.access !== 'token') {
    throw gatewayError(401, `Authentication required: ${what} needs Authorization: Bearer <token> (${call.ctx.tokenHint})`)
  }
}

function requireMethod(call: Call, ...methods: string[]): void {
  if (!methods.includes(call.method)) {
    throw gatewayError(405, `${call.method} is not allowed here; use ${methods.join(' or ')}`)
  }
}

function bodyLimit(call: Call): BodyLimit {
  return bodyLimitFor(call.ctx.limits, call.ctx.usage, call.access)
}

function checkDataset(call: Call, name: string | undefined): void {
  if (name !== call.ctx.datasetName) {
    throw gatewayError(404, `Dataset "${name ?? ''}" not found for project ID "${call.ctx.projectId}"; this local lake serves "${call.ctx.datasetName}"`)
  }
}

/** What a caller may read (views.ts): token holders see everything, anonymous callers only the root path (as a public dataset). */
function view(call: Call, perspective: Perspective): View {
  return viewOf(call.ctx.dataset.store, call.access, perspective)
}

/** `$name=<JSON>` query-string parameters, as @sanity/client sends them. */
function queryStringParams(url: URL): Record<string, unknown> {
  const params: Record<string, unknown> = {}
  for (const [key, raw] of url.searchParams) {
    if (!key.startsWith('$')) continue
    try {
      JSON.parse(raw)
    } catch {
      throw badRequest(`Unable to parse value of "${key}=${raw}". Please quote string values.`)
    }
    params[key.slice(1)] = parseClientJson(raw, `Parameter ${key}`)
  }
  return params
}

/** Query answers carry `syncTags` from API v2021-03-25 on, as hosted Sanity's do. */
function hasSyncTags(apiVersion: string): boolean {
  return apiVersion === 'X' || apiVersion === 'x' || (apiVersion !== '1' && apiVersion >= '2021-03-25')
}

async function handleQuery(call: Call, datasetName: string | undefined): Promise<void> {
  checkDataset(call, datasetName)
  requireMethod(call, 'GET', 'POST')
  let query: unknown = call.url.searchParams.get('query')
  let params = queryStringParams(call.url)
  const perspectives = call.url.searchParams.getAll('perspective')
  if (call.method === 'POST') {
    const body = await readJson(call.req, bodyLimit(call))
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Request body must be a JSON object {"query": "...", "params": {...}}')
    const b = body as Record<string, unknown>
    query = b.query
    if (b.params !== undefined) {
      if (b.params === null || typeof b.params !== 'object' || Array.isArray(b.params)) throw badRequest('"params" must be a JSON object')
      params = {...params, ...(b.params as Record<string, unknown>)}
    }
    if (typeof b.perspective === 'string') perspectives.push(b.perspective)
    else if (Array.isArray(b.perspective)) perspectives.push(...b.perspective.map(String))
  }
  const perspective = parsePerspective(perspectives, call.apiVersion, call.ctx.limits.perspectiveNames)
  const started = performance.now()
  const tree = parseQuery(query, params)
  // Sync tags (syncTags.ts): what the query reads, from its text and from the lookups it makes.
  const reads = staticReads(tree)
  const {store} = call.ctx.dataset
  const version = store.version
  const {result} = await runQuery(tree, tracingView(view(call, perspective), reads), {
    params,
    identity: call.identity,
    projectId: call.ctx.projectId,
    datasetName: call.ctx.datasetName,
  })
  // A write landed while the query ran: it finished on a pinned copy, whose lookups are not traced.
  if (store.version !== version) reads.any = true
  const ms = Math.round(performance.now() - started)
  const body: Record<string, unknown> = {}
  if (call.url.searchParams.get('returnQuery') !== 'false') body.query = query
  body.result = result === undefined ? null : result
  if (hasSyncTags(call.apiVersion)) body.syncTags = syncTagsOf(reads, call.ctx.datasetName)
  body.ms = ms
  const kind = accessKind(call.access)
  const maxBytes = call.ctx.limits.resultBytes[kind]
  if (!jsonFits(body, maxBytes)) {
    throw apiError(
      422,
      'queryResultTooLarge',
      `Query result is larger than ${formatBytes(maxBytes)}, the local lake's limit for ${kind === 'token' ? 'token holders' : 'anonymous queries'} (${LIMIT_ENV.resultBytes[kind]}); ask for less: a slice (*[...][0...100]) or a projection of the fields you need ({_id, title})`,
    )
  }
  sendJson(call.res, 200, body)
}

function handleDoc(call: Call, datasetName: string | undefined, idList: string | undefined): void {
  checkDataset(call, datasetName)
  requireMethod(call, 'GET')
  if (!idList) throw badRequest('Give document ids: /data/doc/<dataset>/<id>[,<id>…]')
  const ids = idList.split(',').map((id) => decodeSegment(id, 'document id'))
  const excludeContent = flag(call.url.searchParams.get('excludeContent'), false)
  const includeAllVersions = flag(call.url.searchParams.get('includeAllVersions'), false)
  const store = call.ctx.dataset.store
  const documents: LakeDocument[] = []
  const omitted: Array<{id: string; reason: 'existence' | 'permission'}> = []
  for (const id of ids) {
    if (call.access !== 'token' && !isRootPathId(id)) {
      omitted.push({id, reason: 'permission'})
      continue
    }
    if (includeAllVersions) {
      const pub = viewIdOf(id)
      const all = [pub, ...store.indexes.variants.ids(pub)]
        .sort()
        .flatMap((variant) => store.get(variant) ?? [])
        .filter((d) => call.access === 'token' || isRootPathId(d._id))
      if (all.length === 0) omitted.push({id, reason: 'existence'})
      else if (!excludeContent) documents.push(...all)
      continue
    }
    const doc = idProblem(id) ? undefined : store.get(id)
    if (!doc) omitted.push({id, reason: 'existence'})
    else if (!excludeContent) documents.push(doc)
  }
  sendJson(call.res, 200, {documents, omitted})
}

async function handleMutate(call: Call, datasetName: string | undefined): Promise<void> {
  checkDataset(call, datasetName)
  requireMethod(call, 'POST')
  if (call.access !== 'token') {
    throw gatewayError(403, `Insufficient permissions; permission "update" required: send Authorization: Bearer <token> (${call.ctx.tokenHint})`)
  }
  const q = call.url.searchParams
  validateVisibility(q.get('visibility'))
  const body = await readJson(call.req, bodyLimit(call))
  const dryRun = flag(q.get('dryRun'), false)
  const {dataset} = call.ctx
  const {plan, finalDocs, durable} = await dataset.exclusive(async () => {
    const plan = await planTransaction(dataset.pending, body, {
      transactionId: q.get('transactionId') || undefined,
      autoGenerateArrayKeys: flag(q.get('autoGenerateArrayKeys'), false),
      identity: call.identity,
      projectId: call.ctx.projectId,
      datasetName: call.ctx.datasetName,
    })
    const finalDocs = new Map(plan.changes.map((c) => [c.id, c.after]))
    for (const r of plan.results) if (!finalDocs.has(r.id)) finalDocs.set(r.id, dataset.pending.get(r.id) ?? null)
    dataset.assertUnusedTransactionId(plan.transactionId)
    // Group commit: wait for the fsync outside `exclusive`, so that other writers share it.
    const durable = !dryRun && plan.changes.length > 0 ? dataset.commit(plan) : undefined
    return {plan, finalDocs, durable}
  })
  await durable
  const returnDocuments = flag(q.get('returnDocuments'), false)
  sendJson(call.res, 200, {
    transactionId: plan.transactionId,
    results: plan.results.map((r) => {
      const doc = returnDocuments ? finalDocs.get(r.id) : null
      return doc ? {id: r.id, operation: r.operation, document: doc} : {id: r.id, operation: r.operation}
    }),
  })
}

/** `POST data/actions/:dataset {actions, transactionId?}`: how Studio 5 writes (see actions.ts). */
async function handleActions(call: Call, datasetName: string | undefined): Promise<void> {
  checkDataset(call, datasetName)
  requireMethod(call, 'POST')
  if (call.access !== 'token') {
    throw gatewayError(403, `Insufficient permissions; permission "update" required: send Authorization: Bearer <token> (${call.ctx.tokenHint})`)
  }
  const body = await readJson(call.req, bodyLimit(call))
  const dryRun = flag(call.url.searchParams.get('dryRun'), false) || (typeof body === 'object' && body !== null && (body as {dryRun?: unknown}).dryRun === true)
  const {dataset} = call.ctx
  const {plan, durable} = await dataset.exclusive(async () => {
    const plan = await planActions(dataset.pending, body, {
      transactionId: call.url.searchParams.get('transactionId') || undefined,
      identity: call.identity,
      projectId: call.ctx.projectId,
      datasetName: call.ctx.datasetName,
    })
    dataset.assertUnusedTransactionId(plan.transactionId)
    const durable = !dryRun && plan.changes.length > 0 ? dataset.commit(plan) : undefined
    return {plan, durable}
  })
  await durable
  sendJson(call.res, 200, {transactionId: plan.transactionId})
}

function handleListen(call: Call, datasetName: string | undefined): void {
  checkDataset(call, datasetName)
  requireMethod(call, 'GET')
  const q = call.url.searchParams
  const params = queryStringParams(call.url)
  const tree = parseQuery(q.get('query'), params)
  const effectFormat = q.get('effectFormat')
  if (effectFormat !== null && effectFormat !== 'mendoza') throw badRequest(`Unsupported effectFormat "${effectFormat}": only "mendoza" is supported`)
  const visibility = q.get('visibility') ?? 'query'
  if (visibility !== 'query' && visibility !== 'transaction') {
    throw badRequest(`Invalid listener visibility "${visibility.slice(0, 40)}": expected "transaction" or "query"`)
  }
  serveListener(
    call.ctx.dataset,
    call.res,
    {
      tree,
      params,
      includeResult: flag(q.get('includeResult'), true),
      includePreviousRevision: flag(q.get('includePreviousRevision'), false),
      includeMutations: flag(q.get('includeMutations'), true),
      includeAllVersions: flag(q.get('includeAllVersions'), false),
      effectFormat: effectFormat === 'mendoza' ? 'mendoza' : null,
      // Anonymous listeners: public (root-path) documents only, as a public dataset allows.
      rootOnly: call.access !== 'token',
      visibility,
      keepAliveMs: call.ctx.keepAliveMs,
      log: call.ctx.log,
    },
    call.ctx.listeners,
    call.access,
  )
}

/** `GET data/live/events/:dataset[?includeDrafts=true]`: the Live Content API's stream (liveEvents.ts). */
function handleLiveEvents(call: Call, datasetName: string | undefined): void {
  checkDataset(call, datasetName)
  requireMethod(call, 'GET')
  const q = call.url.searchParams
  // `includeAllDocuments` is the newer name of the same switch.
  const includeDrafts = flag(q.get('includeDrafts'), false) || flag(q.get('includeAllDocuments'), false)
  if (includeDrafts) requireToken(call, 'live events with includeDrafts=true')
  const lastEventId = call.req.headers['last-event-id']
  serveLiveEvents(
    call.ctx.dataset,
    call.res,
    {
      datasetName: call.ctx.datasetName,
      includeDrafts,
      keepAliveMs: call.ctx.keepAliveMs,
      lastEventId: typeof lastEventId === 'string' && lastEventId !== '' ? lastEventId : null,
    },
    call.ctx.listeners,
    call.access,
  )
}

async function handleExport(call: Call, datasetName: string | undefined): Promise<void> {
  checkDataset(call, datasetName)
  requireMethod(call, 'GET')
  requireToken(call, 'exporting')
  const types = call.url.searchParams.get('types')
  const wanted = types ? new Set(types.split(',').map((t) => t.trim()).filter(Boolean)) : null
  // A snapshot of the (immutable) sorted array: later commits do not tear the export.
  const docs = call.ctx.dataset.store.all()
  const {res} = call
  res.writeHead(200, {'content-type': 'application/x-ndjson; charset=utf-8'})
  let chunk = ''
  for (const doc of docs) {
    if (wanted && !wanted.has(doc._type)) continue
    chunk += JSON.stringify(doc) + '\n'
    if (chunk.length >= 1 << 16) {
      if (!res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve))
      chunk = ''
    }
  }
  res.end(chunk)
}

function handleUsersMe(call: Call): void {
  // Anonymous: an empty object, which is how the Studio (and hosted Sanity) says "not logged in".
  sendJson(call.res, 200, call.access === 'token' ? localUser() : {})
}

/** Per lake: the editor's Studio preferences (users/me/keyvalue), kept in the lake directory (keyValues.ts). */
const keyValuesOf = new WeakMap<LakeContext, KeyValues>()

async function route(call: Call, segments: string[]): Promise<void> {
  const [first, second, third, fourth] = segments
  if (first === 'ping' && segments.length === 1) {
    call.res.writeHead(200, {'content-type': 'text/plain; charset=utf-8', [LAKE_HEADER]: '1'})
    call.res.end('PONG')
    return
  }
  if (first === 'users' && second === 'me' && segments.length === 2) return handleUsersMe(call)
  if (first === 'data') {
    if (second === 'query' && segments.length === 3) return handleQuery(call, third)
    if (second === 'doc' && segments.length === 4) return handleDoc(call, third, fourth)
    if (second === 'mutate' && segments.length === 3) return handleMutate(call, third)
    if (second === 'listen' && segments.length === 3) return handleListen(call, third)
    if (second === 'live' && third === 'events' && segments.length === 4) return handleLiveEvents(call, fourth)
    if (second === 'export' && segments.length === 3) return handleExport(call, third)
    if (second === 'actions' && segments.length === 3) return handleActions(call, third)
    if (second === 'ping' && segments.length === 3) {
      // The Studio measures latency against this and reads the shard from a header.
      checkDataset(call, third)
      call.res.writeHead(200, {'content-type': 'text/plain; charset=utf-8', 'x-sanity-shard': 'local'})
      call.res.end('PONG')
      return
    }
  }
  if (first === 'assets' && segments.length === 3) {
    checkDataset(call, third)
    return handleAssetUpload(call.ctx, call, second)
  }
  if (first === 'socket' && segments.length === 2) {
    // The presence socket is a WebSocket (presence.ts takes the upgrade before this handler);
    // a plain request, or an upgrade over HTTP/2, cannot become one here.
    throw gatewayError(501, `Presence (${call.url.pathname}) is a WebSocket: connect with an HTTP/1.1 Upgrade: websocket request`)
  }
  let keyValues = keyValuesOf.get(call.ctx)
  if (!keyValues) keyValuesOf.set(call.ctx, (keyValues = new KeyValues(call.ctx.dataset.dir, call.ctx.log)))
  const handled = await routeStudio({
    req: call.req,
    res: call.res,
    method: call.method,
    url: call.url,
    segments,
    authenticated: call.access === 'token',
    projectId: call.ctx.projectId,
    datasetName: call.ctx.datasetName,
    store: call.ctx.dataset.store,
    body: bodyLimit(call),
    keyValues,
    history: call.ctx.dataset.history,
  })
  if (handled) return
  throw gatewayError(
    404,
    `No such endpoint: ${call.method} ${call.url.pathname} (this local lake serves /v{apiVersion}/ping, users/me, data/query, data/doc, data/mutate, data/actions, data/listen, data/live/events, data/export, data/history, assets/images|files, projects/${call.ctx.projectId}[/datasets], features and the Studio's metadata endpoints)`,
  )
}

/** The request handler shared by the HTTP/1.1 and the HTTP/2 (TLS) server. */
export function createHandler(ctx: LakeContext): (req: LakeRequest, raw: ServerResponse | Http2ServerResponse) => void {
  return (req, raw) => {
    const res = asResponse(raw)
    const wrongHost = hostProblem(req, ctx.origins)
    if (wrongHost) {
      sendError(res, gatewayError(421, wrongHost))
      return
    }
    const cors = corsHeaders(req, ctx.origins)
    for (const [name, value] of Object.entries(cors)) if (value !== undefined) res.setHeader(name, value as string)
    const method = (req.method ?? 'GET').toUpperCase()
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        'access-control-allow-methods': 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS',
        'access-control-allow-headers': String(req.headers['access-control-request-headers'] ?? 'authorization, content-type'),
        'access-control-max-age': '600',
      })
      res.end()
      return
    }
    let url: URL
    try {
      // `//v1/...` (as @sanity/migrate asks) is a path, not a protocol-relative URL naming host "v1".
      url = new URL((req.url ?? '/').replace(/^\/{2,}/, '/'), 'http://127.0.0.1')
    } catch {
      sendError(res, badRequest('Malformed request URL'))
      return
    }
    // Asset files (/images|files/:projectId/:dataset/…) are public, outside /v{apiVersion}, as on Sanity's CDN.
    if (routeAssetFiles(ctx, req, res, url, method)) return
    const access = accessOf(req.headers.authorization, ctx.token)
    const run = async (): Promise<void> => {
      if (access === 'invalid') {
        throw gatewayError(401, `Session not found: the token is not valid for this local lake (${ctx.tokenHint})`)
      }
      const segments = url.pathname.split('/').filter((s) => s !== '')
      const version = apiVersionOf(segments[0])
      if (version === null) {
        throw gatewayError(404, `Unknown API path ${url.pathname}: paths start with /v{apiVersion}, e.g. /v2025-02-19/data/query/${ctx.datasetName}`)
      }
      // The hosted API also accepts /v1/projects/<id>/data/…; strip it so both styles route alike.
      // (projects/<id> itself and projects/<id>/datasets|acl|… are the Studio's project metadata.)
      let rest = segments.slice(1)
      if (rest[0] === 'projects' && rest[1] === ctx.projectId && (rest[2] === 'data' || rest[2] === 'ping')) rest = rest.slice(2)
      const call: Call = {ctx, req, res, url, method, apiVersion: version, access, identity: access === 'token' ? LOCAL_IDENTITY : ''}
      await route(call, rest)
    }
    run().catch((err: unknown) => {
      if (err instanceof LakeError) {
        sendError(res, err)
        return
      }
      ctx.log(`internal error on ${method} ${url.pathname}: ${(err as Error)?.stack ?? String(err)}`)
      sendError(res, gatewayError(500, 'Internal error in the local lake; see its log (stderr of `npm run lake`)'))
    })
  }
}

