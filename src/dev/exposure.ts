// What the Studio dev server may serve. Vite's root is the project, so without a rule it
// serves any file under it: the lake directory (token, drafts in transactions.ndjson, TLS key)
// when LAKE_DIR lies inside the project, as the default `.lake/` does, and dotfiles such as
// `.env`. The same rule runs at the HTTPS front (src/dev/front.ts) and inside Vite
// (sanity.cli.ts), so Vite's private port refuses too.
import fs from 'node:fs'
import type {IncomingMessage, ServerResponse} from 'node:http'
import type {Http2ServerResponse} from 'node:http2'
import path from 'node:path'

export interface ExposurePolicy {
  /** The project root, which Vite serves. */
  root: string
  /** The lake's directory, as given and as resolved through symlinks; never served, wherever it is. */
  lakeDirs: string[]
}

export interface Refusal {
  status: 400 | 404 | 421
  message: string
}

/** Dot-directories the Studio loads modules from: Sanity's runtime (`.sanity/runtime`) and Vite's
 *  dependency caches (`node_modules/.sanity/vite`, `node_modules/.vite`). Every other dot-path is refused. */
const STUDIO_DOT_DIRS = new Set(['.sanity', '.vite'])
/** Enough rounds to undo any double or triple encoding a server further on might undo too. */
const DECODE_ROUNDS = 4
/** Vite's URL forms that name a file by absolute path (`/@fs/…`) or by module id (`/@id/…`, `/@id/__x00__…`). */
const ID_PREFIX = /^\/@(?:fs|id)(?=\/)|^\/__x00__/

export function exposurePolicy(root: string, lakeDir: string): ExposurePolicy {
  const lakeDirs = new Set([path.resolve(lakeDir)])
  try {
    lakeDirs.add(fs.realpathSync(lakeDir))
  } catch {
    /* not created yet: the lake makes it on start */
  }
  return {root: path.resolve(root), lakeDirs: [...lakeDirs]}
}

/** The policy `sanity dev` runs under: LAKE_DIR as npm run dev passes it (absolute), else the lake's default. */
export function exposurePolicyFromEnv(root: string, env: Record<string, string | undefined> = process.env): ExposurePolicy {
  return exposurePolicy(root, path.resolve(root, env.LAKE_DIR || '.lake'))
}

function inside(file: string, dir: string): boolean {
  // Case-folded: on a case-insensitive file system /.LAKE/token is the token too.
  const f = file.toLowerCase()
  const d = dir.toLowerCase()
  return f === d || f.startsWith(d.endsWith(path.sep) ? d : d + path.sep)
}

/** Percent-decodes until nothing changes; null when the first round fails (no Studio URL is malformed). */
function decodeRepeatedly(value: string): string | null {
  let current = value
  for (let round = 0; round < DECODE_ROUNDS && current.includes('%'); round++) {
    try {
      const next = decodeURIComponent(current)
      if (next === current) break
      current = next
    } catch {
      if (round === 0) return null
      break
    }
  }
  return current
}

/** Why `url` (a request target as received) is not served, or null when the Studio may need it. */
export function servedPathRefusal(url: string | undefined, policy: ExposurePolicy): Refusal | null {
  const target = url ?? '/'
  if (!target.startsWith('/')) {
    return {status: 400, message: `The request target must be a path starting with "/"; got "${target.slice(0, 100)}".`}
  }
  const rawPath = target.split(/[?#]/, 1)[0]
  const decoded = decodeRepeatedly(rawPath)
  if (decoded === null) return {status: 400, message: `Malformed percent-encoding in the path "${rawPath.slice(0, 200)}".`}
  if (decoded.includes('\0')) return {status: 400, message: 'The path contains a NUL byte.'}
  const notServed = (why: string): Refusal => ({
    status: 404,
    message: `Not found: ${rawPath.slice(0, 200)} is not served by the Studio dev server (${why}).`,
  })

  for (const segment of decoded.split(/[/\\]/)) {
    if (segment === '.' || segment === '..') return notServed('paths with "." or ".." segments are refused')
    if (segment.startsWith('.') && !STUDIO_DOT_DIRS.has(segment)) return notServed('dotfiles and dot-directories are private')
  }

  let stripped = decoded
  while (ID_PREFIX.test(stripped)) stripped = stripped.replace(ID_PREFIX, '')
  // Vite names files outside its root as /@fs/<absolute path>; an id that is an absolute path may be read as one too.
  const byAbsolutePath = stripped !== decoded && stripped.startsWith('/')
  // The same name read as a project path and as an absolute one: Vite tries both.
  const candidates = [path.join(policy.root, stripped)]
  if (stripped.startsWith('/')) candidates.push(path.resolve(stripped))
  if (candidates.some((file) => policy.lakeDirs.some((dir) => inside(file, dir)))) {
    return notServed("the lake's directory holds its token and drafts")
  }
  if (byAbsolutePath && !inside(path.resolve(stripped), policy.root)) {
    return notServed('files outside the project are not served')
  }
  return null
}

export function sendRefusal(res: ServerResponse | Http2ServerResponse, refusal: Refusal): void {
  ;(res as ServerResponse).writeHead(refusal.status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  })
  res.end(refusal.message + '\n')
}

/** Glob-quotes a path for Vite's `server.fs.deny` (picomatch). */
function globLiteral(file: string): string {
  return file.replace(/[\\*?[\]{}()!+@|]/g, '\\$&')
}

/** Vite's `server.fs.deny`: its defaults (an array given replaces them), any lake directory, and this lake's. */
export function viteFsDeny(policy: ExposurePolicy): string[] {
  const viteDefaults = ['.env', '.env.*', '*.{crt,pem}', '**/.git/**']
  const lakes = ['**/.lake', '**/.lake/**', '**/.lake-*', '**/.lake-*/**']
  const thisLake = policy.lakeDirs.flatMap((dir) => [globLiteral(dir), `${globLiteral(dir)}/**`])
  return [...viteDefaults, '*.key', '**/.ssh/**', '**/.npmrc', ...lakes, ...thisLake]
}

/** The structural part of Vite's dev server this plugin uses (vite is not a direct dependency). */
interface DevServerLike {
  middlewares: {use(handler: (req: IncomingMessage, res: ServerResponse, next: () => void) => void): unknown}
}

/** A Vite plugin running `servedPathRefusal` before Vite's own middlewares, on Vite's own port. */
export function exposureGuardPlugin(policy: ExposurePolicy) {
  return {
    name: 'newsroom:exposure-guard',
    apply: 'serve' as const,
    configureServer(server: DevServerLike) {
      server.middlewares.use((req, res, next) => {
        const refusal = servedPathRefusal(req.url, policy)
        if (refusal) sendRefusal(res, refusal)
        else next()
      })
    },
  }
}
