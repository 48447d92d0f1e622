import type {OutgoingHttpHeaders} from 'node:http'
import {LAKE_HEADER} from './discover'
import type {LakeRequest} from './http'

/**
 * Who may talk to the lake from a browser, and under which host name.
 *
 * - Host: the lake listens on 127.0.0.1 only, so any request naming another host reached it
 *   through DNS rebinding (a page on evil.example whose name now resolves to 127.0.0.1).
 *   Only loopback names are served, plus LAKE_ALLOWED_HOSTS.
 * - CORS: pages served from this machine (the Studio on local.localhost, `sanity dev` on
 *   localhost:3333, the reader site) and the origins in LAKE_CORS_ORIGINS. Any other origin
 *   gets no CORS headers, so its page cannot read the answer.
 */

export interface OriginPolicy {
  /** Exact origins (scheme://host[:port]) besides loopback ones. */
  corsOrigins: ReadonlySet<string>
  /** Host names (without port) besides loopback ones. */
  hosts: ReadonlySet<string>
}

/** localhost, *.localhost, 127.0.0.1 and [::1]: names that only ever mean this machine. */
export function isLoopbackName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  return name === 'localhost' || name.endsWith('.localhost') || name === '127.0.0.1' || name === '[::1]' || name === '::1'
}

/**
 * api.sanity.io and <project>.api.sanity.io: the names the real Sanity CLI asks, which `npm run sanity`
 * sends to the lake. A rebinding page cannot own them, so serving them adds no exposure.
 */
function isSanityApiName(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '')
  return name === 'api.sanity.io' || /^[a-z0-9-]+\.api\.sanity\.io$/.test(name)
}

/** `LAKE_CORS_ORIGINS` / `LAKE_ALLOWED_HOSTS`: comma-separated; a malformed entry stops start-up. */
export function originPolicyFrom(env: Record<string, string | undefined>): OriginPolicy {
  const corsOrigins = new Set<string>()
  for (const entry of (env.LAKE_CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    let url: URL
    try {
      url = new URL(entry)
    } catch {
      throw new Error(`LAKE_CORS_ORIGINS: "${entry}" is not an origin (scheme://host[:port], e.g. https://studio.example.com)`)
    }
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.origin !== entry.replace(/\/$/, '')) {
      throw new Error(`LAKE_CORS_ORIGINS: "${entry}" is not an origin (scheme://host[:port] with no path, e.g. https://studio.example.com)`)
    }
    corsOrigins.add(url.origin)
  }
  const hosts = new Set<string>()
  for (const entry of (env.LAKE_ALLOWED_HOSTS ?? '').split(',').map((s) => s.trim().toLowerCase()).filter(Boolean)) {
    if (!/^[a-z0-9.-]+$/.test(entry)) throw new Error(`LAKE_ALLOWED_HOSTS: "${entry}" is not a host name (no port, no scheme)`)
    hosts.add(entry)
  }
  return {corsOrigins, hosts}
}

/** The Host (HTTP/1.1) or :authority (HTTP/2) a request names, without its port. */
function requestedHost(req: LakeRequest): string | undefined {
  const raw = req.headers[':authority'] ?? req.headers.host
  const value = Array.isArray(raw) ? raw[0] : raw
  if (typeof value !== 'string' || value === '') return undefined
  try {
    return new URL(`http://${value}`).hostname
  } catch {
    return ''
  }
}

/** Null when the request's Host is one the lake answers to, else why not. */
export function hostProblem(req: LakeRequest, policy: OriginPolicy): string | null {
  const host = requestedHost(req)
  // HTTP/1.0 clients may send none; they cannot be a browser page rebinding a name.
  if (host === undefined) return null
  if (isLoopbackName(host) || isSanityApiName(host) || policy.hosts.has(host.toLowerCase())) return null
  return `Host "${host.slice(0, 100)}" is not served: the local lake answers only to localhost, *.localhost, 127.0.0.1, [::1] and the Sanity API names npm run sanity uses (add names to LAKE_ALLOWED_HOSTS)`
}

export function originAllowed(origin: string, policy: OriginPolicy): boolean {
  if (policy.corsOrigins.has(origin)) return true
  let url: URL
  try {
    url = new URL(origin)
  } catch {
    return false
  }
  return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin && isLoopbackName(url.hostname)
}

/** CORS headers for an allowed Origin; none for others (their pages cannot read the answer). */
export function corsHeaders(req: LakeRequest, policy: OriginPolicy): OutgoingHttpHeaders {
  const origin = req.headers.origin
  if (typeof origin !== 'string' || !originAllowed(origin, policy)) return {}
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-credentials': 'true',
    'access-control-expose-headers': `content-type, ${LAKE_HEADER}`,
    vary: 'origin',
  }
}
