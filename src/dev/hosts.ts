// The dev front listens on 127.0.0.1 only, so a request naming any other host reached it
// through DNS rebinding (a page on evil.example whose name now resolves to 127.0.0.1): its
// answers would be readable by that page. Only loopback names on the front's own port are served.
// One of them, site.localhost, is the reader's site (its own origin, so its pages can never read
// the Studio's storage); every other loopback name is the Studio's.
import type {IncomingHttpHeaders} from 'node:http'
import {isLoopbackName} from '../lake/origin'

const HOST_HEADER = /^(\[::1\]|[a-z0-9.-]+)(?::(\d{1,5}))?$/i

/** The reader's site on the front: https://site.localhost:<port>. */
export const SITE_HOST_NAME = 'site.localhost'

export type FrontApp = 'studio' | 'site'

/** The loopback name `value` gives for `port`, lower-cased and without a trailing dot; null if it gives none. */
function loopbackName(value: string, port: number): string | null {
  const match = HOST_HEADER.exec(value.trim())
  const name = match?.[1].toLowerCase().replace(/\.$/, '')
  const given = match?.[2] === undefined ? 443 : Number(match[2])
  return name !== undefined && isLoopbackName(name) && given === port ? name : null
}

function checkOne(value: string, port: number): string | null {
  if (loopbackName(value, port) !== null) return null
  return (
    `Host "${value.slice(0, 100)}" is not served here: npm run dev answers only to local.localhost:${port} ` +
    `(the Studio; or localhost, *.localhost, 127.0.0.1, [::1] on port ${port}) and ${SITE_HOST_NAME}:${port} (the site). ` +
    'A page under another name reached this port, for example through DNS rebinding; open the address npm run dev printed instead.'
  )
}

/** Null when every name the request gives (`:authority`, `Host`) is a loopback name on `port`, else why not. */
export function hostRefusal(headers: IncomingHttpHeaders, port: number): string | null {
  const names = [headers[':authority'], headers.host].filter((v): v is string => typeof v === 'string')
  if (names.length === 0) return `No Host header: npm run dev answers only to requests naming local.localhost:${port}.`
  for (const name of names) {
    const problem = checkOne(name, port)
    if (problem) return problem
  }
  return null
}

/** The name to forward upstream, so that Vite's and the lake's own Host checks see what the browser sent. */
export function requestedAuthority(headers: IncomingHttpHeaders): string | undefined {
  const value = headers[':authority'] ?? headers.host
  return typeof value === 'string' ? value : undefined
}

const appOfName = (name: string | null): FrontApp => (name === SITE_HOST_NAME ? 'site' : 'studio')

/**
 * Which app a request that passed `hostRefusal` is for, or a reason to refuse it when its
 * `:authority` and `Host` name different apps (one request must not reach the site by one name
 * and the Studio by the other).
 */
export function frontAppOf(headers: IncomingHttpHeaders, port: number): {app: FrontApp} | {refusal: string} {
  const names = [headers[':authority'], headers.host].filter((v): v is string => typeof v === 'string')
  const apps = new Set(names.map((value) => appOfName(loopbackName(value, port))))
  if (apps.size > 1) return {refusal: `:authority and Host name different hosts (${names.map((n) => `"${n.slice(0, 100)}"`).join(', ')}); send one name.`}
  return {app: apps.has('site') ? 'site' : 'studio'}
}
