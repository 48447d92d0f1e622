import {gatewayError, badRequest} from './errors'
import {readJson, sendJson, type LakeRequest, type LakeResponse} from './http'
import type {BodyLimit} from './limits'
import {decodeSegment, idProblem} from './ids'
import type {History} from './history'
import {documentEvents, historyDocuments, transactionLines} from './historyApi'
import type {KeyValues} from './keyValues'
import type {DocumentStore} from './store'

/**
 * The project-level endpoints Sanity Studio asks for besides the data API: who the user is,
 * what the project and dataset are, what the user may do, and a handful of product endpoints
 * (upsells, telemetry, scheduled publishing, version checks) that the local lake answers as
 * "nothing here". There is one local editor: whoever holds the lake's token.
 */

export const LOCAL_USER_ID = 'local-lake-user'

/** What one call needs; routes.ts builds it after checking the API version and the token. */
export interface StudioCall {
  req: LakeRequest
  res: LakeResponse
  method: string
  url: URL
  /** Path segments after /v{apiVersion}/. */
  segments: string[]
  authenticated: boolean
  projectId: string
  datasetName: string
  store: DocumentStore
  /** What a request body may be (limits.ts). */
  body: BodyLimit
  /** The user's key-value settings (Studio UI preferences); per lake process, not durable. */
  keyValues: KeyValues
  /** The dataset's revision history (history.ts). */
  history: History
}

export function localUser(): Record<string, unknown> {
  return {
    id: LOCAL_USER_ID,
    name: 'Local editor',
    email: 'editor@localhost',
    profileImage: null,
    role: 'administrator',
    roles: [{name: 'administrator', title: 'Administrator', description: 'The local lake has one editor: whoever holds its token'}],
    provider: 'local',
  }
}

/** The Studio's grant format: a GROQ filter and the permissions it gives. The token holder may do everything. */
const ADMIN_GRANTS = [{filter: '_id in path("**")', permissions: ['read', 'create', 'history', 'update']}]

const LOCAL_LOGIN_PAGE = 'local-lake-login'
const LOCAL_LOGIN_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Log in to the local lake</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:38em;margin:4em auto;padding:0 1em}code{background:#f3f3f3;padding:0 .2em}</style></head>
<body><h1>Log in to the local lake</h1>
<p>This Studio has no login screen: it logs in with the local lake's token.</p>
<p>Open the <strong>log in</strong> link that <code>npm run dev</code> printed in its terminal (<code>…/__lake-login/…</code>).
The Studio then keeps the lake's token in your browser; you need the link only once per browser and lake.</p>
<p>No terminal at hand? Stop and start <code>npm run dev</code>: it prints the link every time.</p>
</body></html>
`

function requireAuth(call: StudioCall): void {
  if (!call.authenticated) throw gatewayError(401, 'Authentication required: send Authorization: Bearer <the lake token>')
}

function project(call: StudioCall): Record<string, unknown> {
  const now = new Date(0).toISOString()
  return {
    id: call.projectId,
    displayName: 'Local lake',
    studioHost: null,
    isBlocked: false,
    isDisabled: false,
    isDisabledByUser: false,
    metadata: {},
    organizationId: null,
    createdAt: now,
    members: [
      {
        id: LOCAL_USER_ID,
        createdAt: now,
        updatedAt: now,
        isCurrentUser: true,
        isRobot: false,
        role: 'administrator',
        roles: [{name: 'administrator', title: 'Administrator'}],
      },
    ],
    features: [],
    pendingInvites: 0,
  }
}

/** A dataset as hosted Sanity lists it (@sanity/client's DatasetsResponse). */
function dataset(call: StudioCall): Record<string, unknown> {
  return {
    name: call.datasetName,
    aclMode: 'private',
    createdAt: new Date(0).toISOString(),
    createdByUserId: LOCAL_USER_ID,
    addonFor: null,
    datasetProfile: 'content',
    features: [],
    tags: [],
  }
}

/**
 * The project host's own dataset endpoints (`<projectId>.api.sanity.io/v…/datasets`, `/aliases`):
 * `sanity dataset list|export` and Vision ask them. One dataset, no aliases.
 */
function projectHostDatasets(call: StudioCall): boolean {
  const [a, b] = call.segments
  const n = call.segments.length
  if (a === 'aliases' && n === 1) {
    requireAuth(call)
    sendJson(call.res, 200, [])
    return true
  }
  if (a !== 'datasets' || n > 2) return false
  requireAuth(call)
  if (call.method !== 'GET') throw gatewayError(405, `${call.method} ${call.url.pathname}: the local lake has one dataset, "${call.datasetName}", and cannot create, edit or delete datasets`)
  if (n === 1) {
    sendJson(call.res, 200, [dataset(call)])
    return true
  }
  if (decodeSegment(b, 'dataset name') !== call.datasetName) throw gatewayError(404, `Dataset "${b}" not found for project ID "${call.projectId}"; this local lake serves "${call.datasetName}"`)
  sendJson(call.res, 200, dataset(call))
  return true
}

async function keyValue(call: StudioCall, keys: string | undefined): Promise<void> {
  requireAuth(call)
  if (call.method === 'GET') {
    const wanted = keys ? keys.split(',').map((k) => decodeSegment(k, 'key')) : [...call.keyValues.keys()]
    sendJson(call.res, 200, wanted.map((key) => ({key, value: call.keyValues.has(key) ? call.keyValues.get(key) : null})))
    return
  }
  if (call.method === 'PUT' || call.method === 'POST' || call.method === 'PATCH') {
    const body = await readJson(call.req, call.body)
    const pairs = Array.isArray(body) ? body : [body]
    const stored: Array<{key: string; value: unknown}> = []
    for (const pair of pairs) {
      if (pair === null || typeof pair !== 'object' || typeof (pair as {key?: unknown}).key !== 'string') {
        throw badRequest('users/me/keyvalue takes [{"key": "...", "value": ...}]')
      }
      const {key, value} = pair as {key: string; value: unknown}
      stored.push({key, value})
    }
    call.keyValues.setAll(stored)
    sendJson(call.res, 200, stored)
    return
  }
  throw gatewayError(405, `${call.method} is not allowed on users/me/keyvalue; use GET or PUT`)
}

function ids(raw: string | undefined): string[] {
  return (raw ?? '')
    .split(',')
    .map((id) => decodeSegment(id, 'document id'))
    .filter((id) => id !== '' && idProblem(id) === null)
}

/**
 * History (historyApi.ts): `transactions/{ids}` as NDJSON, `documents/{ids}` at a revision or
 * time, `events/documents/{id}` for the Studio's timeline; `events/releases/{id}`: no releases here.
 */
function history(call: StudioCall, kind: string | undefined, rest: string[]): void {
  requireAuth(call)
  const q = call.url.searchParams
  const source = {history: call.history, store: call.store}
  if (kind === 'events') {
    const id = rest[1] ? decodeSegment(rest[1], 'document id') : ''
    if (rest[0] === 'documents' && id && idProblem(id) === null) {
      sendJson(call.res, 200, documentEvents(source, id, q))
      return
    }
    sendJson(call.res, 200, {events: id ? {[id]: []} : {}, nextCursor: ''})
    return
  }
  if (kind === 'transactions') {
    const wanted = ids(rest[0])
    if (wanted.length === 0) throw badRequest('data/history/<dataset>/transactions needs document ids: transactions/<id>[,<id>…] (the local lake keeps history per document)')
    const lines = transactionLines(source, wanted, q)
    call.res.writeHead(200, {'content-type': 'application/x-ndjson; charset=utf-8'})
    call.res.end(lines.map((line) => line + '\n').join(''))
    return
  }
  if (kind === 'documents') {
    sendJson(call.res, 200, {documents: historyDocuments(source, ids(rest[0]), q)})
    return
  }
  throw gatewayError(404, `No such history endpoint: ${call.url.pathname} (the local lake answers history/events, history/transactions and history/documents)`)
}

/**
 * Answers a Studio metadata or history request, or returns false when `segments` is not one.
 * `segments` are the path after /v{apiVersion}/.
 */
export async function routeStudio(call: StudioCall): Promise<boolean> {
  const [a, b, c, d, e] = call.segments
  const n = call.segments.length
  const ok = (body: unknown) => sendJson(call.res, 200, body)

  if (a === 'users') {
    if (b === 'me' && c === 'keyvalue') {
      await keyValue(call, d)
      return true
    }
    if (b !== undefined && b !== 'me' && n === 2) {
      // users/<id>,<id>: the Studio shows avatars and names for document authors.
      requireAuth(call)
      const user = localUser()
      const found = ids(b).filter((id) => id === LOCAL_USER_ID)
      ok(found.map(() => ({id: LOCAL_USER_ID, displayName: user.name, imageUrl: null, email: user.email})))
      return true
    }
    return false
  }

  if (projectHostDatasets(call)) return true

  if (a === 'projects' && b !== undefined) {
    requireAuth(call)
    if (b !== call.projectId) throw gatewayError(404, `Project "${b}" not found: this local lake serves project "${call.projectId}"`)
    if (n === 2) return ok(project(call)), true
    if (c === 'datasets') {
      if (n === 3) {
        // A comments add-on dataset is something only hosted projects have.
        ok(call.url.searchParams.get('datasetProfile') ? [] : [dataset(call)])
        return true
      }
      if (d !== call.datasetName) throw gatewayError(404, `Dataset "${d}" not found for project ID "${call.projectId}"`)
      if (n === 4) return ok(dataset(call)), true
      if (e === 'acl' && n === 5) return ok(ADMIN_GRANTS), true
      if (e === 'settings') return ok({}), true
      return false
    }
    if (c === 'grants' && n === 3) {
      ok({'sanity-project': {'sanity.project': [{grants: [{name: 'read', params: {}}, {name: 'update', params: {}}], config: {}}]}})
      return true
    }
    if (c === 'roles' && n === 3) return ok([{name: 'administrator', title: 'Administrator', isCustom: false, projectId: call.projectId}]), true
    if (c === 'user-applications') return ok([]), true
    if (c === 'features') return ok([]), true
    if (c === 'new-content-release-allowed') return ok(false), true
    return false
  }

  if (a === 'features' && n === 1) return ok([]), true
  if (a === 'access') return ok([]), true
  if (a === 'journey') return ok(null), true // no upsells or trials
  if (a === 'help') return ok({}), true // version check: nothing newer to announce offline
  if (a === 'descriptors') {
    // Schema descriptors are uploaded so that Sanity's cloud tools know the schema; nothing to sync with here.
    if (b === 'claim') return ok({synchronization: {type: 'complete'}}), true
    return ok({type: 'complete'}), true
  }
  if (a === 'schedules') return ok({schedules: []}), true
  if (a === 'intake') {
    if (b === 'telemetry-status') return ok({status: 'denied'}), true
    // Telemetry batches are accepted and dropped: nothing leaves this machine.
    call.res.writeHead(204)
    call.res.end()
    return true
  }
  if (a === 'auth') {
    if (b === 'providers') {
      // One "provider": a button that explains the token login instead of the Studio's "No login
      // providers available". Relative, so it stays on the origin the Studio was opened from.
      const provider = {name: 'local-lake', title: 'Log in with the link from npm run dev', url: `/v1/auth/${LOCAL_LOGIN_PAGE}`}
      return ok({providers: [provider], thirdPartyLogin: false, sso: {saml: false}}), true
    }
    if (b === LOCAL_LOGIN_PAGE && n === 2) {
      call.res.writeHead(200, {'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store'})
      call.res.end(LOCAL_LOGIN_HTML)
      return true
    }
    if (b === 'id') {
      if (!call.authenticated) throw gatewayError(401, 'Not logged in: open the login URL `npm run dev` printed')
      return ok({id: LOCAL_USER_ID}), true
    }
    if (b === 'logout') return ok({}), true
    return false
  }
  if (a === 'data' && b === 'history' && c === call.datasetName) {
    history(call, d, call.segments.slice(4))
    return true
  }
  if (a === 'data' && b === 'history' && c !== undefined) {
    throw gatewayError(404, `Dataset "${c}" not found for project ID "${call.projectId}"; this local lake serves "${call.datasetName}"`)
  }
  if (a === 'data' && b === 'references') {
    // References from other datasets (the Studio asks before delete/unpublish); one dataset here, so none.
    requireAuth(call)
    ok({totalCount: 0, references: []})
    return true
  }
  return false
}
