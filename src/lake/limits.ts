import {gatewayError, type LakeError} from './errors'
import {DEFAULT_MAX_PERSPECTIVE_NAMES} from './perspective'

/**
 * Every resource limit of the lake, read once at start-up from LAKE_* variables.
 * Anonymous callers (no token: anyone on this machine, any web page the browser opens)
 * get lower limits than the token holder (the Studio, the project's scripts).
 */

/** A limit with one value for token holders and a lower one for anonymous callers. */
export interface PerAccess {
  token: number
  anonymous: number
}

export interface LakeLimits {
  /** JSON size of one query response. */
  resultBytes: PerAccess
  /** Size of one request body. */
  bodyBytes: PerAccess
  /** Time to receive one request body, from the first byte of the request. */
  bodyTimeoutMs: PerAccess
  /** Request bodies buffered at once, across all requests. */
  bufferedBodyBytes: number
  /** Time to receive a request's headers (HTTP/1.1). */
  headersTimeoutMs: number
  /** Request line plus headers (HTTP/1.1), header list (HTTP/2). */
  headerBytes: number
  /** Path and query string of one request. */
  urlBytes: number
  /** Listeners open at once. */
  listeners: PerAccess
  /** Unread listener events buffered at once, across all listeners. */
  listenerBufferBytes: number
  /** Open connections from one remote address, and from everyone. */
  connectionsPerClient: number
  connections: number
  /** Requests in progress (listeners not counted) from one remote address, per access. */
  requestsPerClient: PerAccess
  /** Names in one perspective (releases, drafts, published). */
  perspectiveNames: number
  /** Time one GROQ evaluation may take (a query, a patch or delete by query, a listener's match). */
  queryTimeoutMs: number
  /** Size of one uploaded asset (image or file); token holders only, anonymous callers cannot upload. */
  assetBytes: number
}

const KB = 1024
const MB = 1024 * 1024

/** The env variable behind each limit, for messages that say what to change. */
export const LIMIT_ENV = {
  resultBytes: {token: 'LAKE_MAX_RESULT_BYTES', anonymous: 'LAKE_MAX_RESULT_BYTES_ANONYMOUS'},
  bodyBytes: {token: 'LAKE_MAX_BODY_BYTES', anonymous: 'LAKE_MAX_BODY_BYTES_ANONYMOUS'},
  bodyTimeoutMs: {token: 'LAKE_BODY_TIMEOUT_MS', anonymous: 'LAKE_BODY_TIMEOUT_MS_ANONYMOUS'},
  bufferedBodyBytes: 'LAKE_MAX_BUFFERED_BODY_BYTES',
  headersTimeoutMs: 'LAKE_HEADERS_TIMEOUT_MS',
  headerBytes: 'LAKE_MAX_HEADER_BYTES',
  urlBytes: 'LAKE_MAX_URL_BYTES',
  listeners: {token: 'LAKE_MAX_LISTENERS', anonymous: 'LAKE_MAX_LISTENERS_ANONYMOUS'},
  listenerBufferBytes: 'LAKE_MAX_LISTENER_BUFFER_BYTES',
  connectionsPerClient: 'LAKE_MAX_CONNECTIONS_PER_CLIENT',
  connections: 'LAKE_MAX_CONNECTIONS',
  requestsPerClient: {token: 'LAKE_MAX_REQUESTS_PER_CLIENT', anonymous: 'LAKE_MAX_REQUESTS_PER_CLIENT_ANONYMOUS'},
  perspectiveNames: 'LAKE_MAX_PERSPECTIVES',
  queryTimeoutMs: 'LAKE_QUERY_TIMEOUT_MS',
  assetBytes: 'LAKE_MAX_ASSET_BYTES',
} as const

/**
 * Defaults: far above what the Studio and the scripts use (the Studio keeps a handful of
 * listeners and a few dozen requests in flight; the largest seed transaction is well under
 * 1 MB), low enough that no anonymous caller can take the lake past a few hundred MB.
 */
export const DEFAULT_LIMITS: LakeLimits = {
  resultBytes: {token: 128 * MB, anonymous: 16 * MB},
  // Hosted Sanity takes mutation bodies of a few MB; 16 MB leaves room for big imports.
  // Anonymous callers only query, and a GROQ query with params fits in far less.
  bodyBytes: {token: 16 * MB, anonymous: 1 * MB},
  bodyTimeoutMs: {token: 60_000, anonymous: 10_000},
  bufferedBodyBytes: 64 * MB,
  headersTimeoutMs: 20_000,
  // @sanity/client switches to POST beyond ~11 kB of URL, so 16 kB of URL is plenty.
  headerBytes: 32 * KB,
  urlBytes: 16 * KB,
  listeners: {token: 128, anonymous: 16},
  listenerBufferBytes: 64 * MB,
  connectionsPerClient: 512,
  connections: 1024,
  requestsPerClient: {token: 256, anonymous: 32},
  // Hosted release stacks are a handful deep.
  perspectiveNames: DEFAULT_MAX_PERSPECTIVE_NAMES,
  // The project's queries take milliseconds; a runaway (nested subqueries over the whole
  // dataset) would otherwise take minutes. Other requests are served meanwhile (deadline.ts).
  queryTimeoutMs: 10_000,
  // A newsroom photo is a few MB; hosted Sanity allows far more. Uploads stream to disk, so this bounds disk, not memory.
  assetBytes: 50 * MB,
}

/** Seconds a refused client is told to wait; the limits here are on what is open, which frees up quickly. */
export const RETRY_AFTER_SECONDS = 1

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, unit: string, example: number): number {
  const value = env[name]
  if (value === undefined || value === '') return fallback
  const n = Number(value)
  if (!Number.isSafeInteger(n) || n <= 0) {
    throw new Error(`${name}=${value} is not ${unit} (a whole number above 0, e.g. ${example}); unset it for the default ${fallback}`)
  }
  return n
}

function perAccess(env: NodeJS.ProcessEnv, names: {token: string; anonymous: string}, fallback: PerAccess, unit: string): PerAccess {
  const token = positiveInteger(env, names.token, fallback.token, unit, fallback.token)
  // An explicit token limit below the anonymous default lowers the anonymous one with it.
  const anonymous = positiveInteger(env, names.anonymous, Math.min(fallback.anonymous, token), unit, fallback.anonymous)
  if (anonymous > token) throw new Error(`${names.anonymous}=${anonymous} is above ${names.token}=${token}: anonymous callers never get more than token holders`)
  return {token, anonymous}
}

/** Reads every LAKE_* limit; an invalid value stops start-up with a message naming it. */
export function limitsFrom(env: NodeJS.ProcessEnv): LakeLimits {
  const d = DEFAULT_LIMITS
  const e = LIMIT_ENV
  const bytes = 'a byte count'
  const ms = 'a time in milliseconds'
  const count = 'a count'
  return {
    resultBytes: perAccess(env, e.resultBytes, d.resultBytes, bytes),
    bodyBytes: perAccess(env, e.bodyBytes, d.bodyBytes, bytes),
    bodyTimeoutMs: perAccess(env, e.bodyTimeoutMs, d.bodyTimeoutMs, ms),
    bufferedBodyBytes: positiveInteger(env, e.bufferedBodyBytes, d.bufferedBodyBytes, bytes, d.bufferedBodyBytes),
    headersTimeoutMs: positiveInteger(env, e.headersTimeoutMs, d.headersTimeoutMs, ms, d.headersTimeoutMs),
    headerBytes: positiveInteger(env, e.headerBytes, d.headerBytes, bytes, d.headerBytes),
    urlBytes: positiveInteger(env, e.urlBytes, d.urlBytes, bytes, d.urlBytes),
    listeners: perAccess(env, e.listeners, d.listeners, count),
    listenerBufferBytes: positiveInteger(env, e.listenerBufferBytes, d.listenerBufferBytes, bytes, d.listenerBufferBytes),
    connectionsPerClient: positiveInteger(env, e.connectionsPerClient, d.connectionsPerClient, count, d.connectionsPerClient),
    connections: positiveInteger(env, e.connections, d.connections, count, d.connections),
    requestsPerClient: perAccess(env, e.requestsPerClient, d.requestsPerClient, count),
    perspectiveNames: positiveInteger(env, e.perspectiveNames, d.perspectiveNames, count, d.perspectiveNames),
    queryTimeoutMs: positiveInteger(env, e.queryTimeoutMs, d.queryTimeoutMs, ms, d.queryTimeoutMs),
    assetBytes: positiveInteger(env, e.assetBytes, d.assetBytes, bytes, d.assetBytes),
  }
}

/** `n` in the unit a reader expects: "16 MB", "512 kB", "300 bytes". */
export function formatBytes(n: number): string {
  if (n >= MB && n % (MB / 10) === 0) return `${n / MB} MB`
  if (n >= MB) return `${(n / MB).toFixed(1)} MB`
  if (n >= KB) return `${Math.round(n / KB)} kB`
  return `${n} bytes`
}

/** Which of a per-access pair applies: an invalid token is refused later, and counts as anonymous until then. */
export function accessKind(access: string): keyof PerAccess {
  return access === 'token' ? 'token' : 'anonymous'
}

/** 429 Too Many Requests with Retry-After, in Sanity's gateway shape. */
export function tooManyRequests(message: string): LakeError {
  const err = gatewayError(429, message)
  err.headers['retry-after'] = String(RETRY_AFTER_SECONDS)
  return err
}

/** What is in use right now, shared by both servers. */
export class Usage {
  /** Request body bytes held in memory, all requests together. */
  bufferedBodyBytes = 0
  /** Requests in progress per `address|access`. */
  readonly requests = new Map<string, number>()
}

/** What one request may send, and the shared budget its body is counted against. */
export interface BodyLimit {
  maxBytes: number
  timeoutMs: number
  /** Who the limits are for, and the variables that set them, for messages. */
  who: string
  bytesVar: string
  timeoutVar: string
  usage: Usage
  maxBufferedBytes: number
}

export function bodyLimitFor(limits: LakeLimits, usage: Usage, access: string): BodyLimit {
  const kind = accessKind(access)
  return {
    maxBytes: limits.bodyBytes[kind],
    timeoutMs: limits.bodyTimeoutMs[kind],
    who: kind === 'token' ? 'token holders' : 'anonymous requests',
    bytesVar: LIMIT_ENV.bodyBytes[kind],
    timeoutVar: LIMIT_ENV.bodyTimeoutMs[kind],
    usage,
    maxBufferedBytes: limits.bufferedBodyBytes,
  }
}
