import http from 'node:http'
import http2 from 'node:http2'
import type {AddressInfo, Socket} from 'node:net'
import path from 'node:path'
import {loadOrCreateToken} from './auth'
import {Dataset} from './dataset'
import {admitRequests, connectionGuard, onClientError} from './guard'
import {limitsFrom, Usage} from './limits'
import {ListenerHub} from './listen'
import {acquireLock} from './lock'
import {originPolicyFrom} from './origin'
import {PresenceHub, presenceLimitsFrom} from './presence'
import {ensurePrivateDir} from './private'
import {setQueryTimeout} from './query'
import {createHandler, type LakeContext} from './routes'
import {loadOrCreateCertificate} from './tls'

export const PROJECT_ID = 'local'
export const DATASET = 'production'
export const DEFAULT_DIR = '.lake'
export const DEFAULT_PORT = 7700
export const DEFAULT_TLS_PORT = 7743
const HOST = '127.0.0.1'
const KEEP_ALIVE_MS = 30_000

export interface StartLakeOptions {
  /** Data directory; default env LAKE_DIR, else `.lake`. */
  dir?: string
  /** HTTP/1.1 port; default env LAKE_PORT, else 7700. 0 picks a free port. */
  port?: number
  /** HTTP/2-over-TLS port; default env LAKE_TLS_PORT (`off` disables), else 7743. 0 picks a free port, false disables TLS. */
  tlsPort?: number | false
  /** The write/draft token; default env LAKE_TOKEN, else the one in `$dir/token` (generated on first start). */
  token?: string
  /** Where diagnostics go (never tokens). Default: nowhere. */
  log?: (line: string) => void
}

export interface RunningLake {
  url: string
  tlsUrl?: string
  port: number
  tlsPort?: number
  projectId: string
  dataset: string
  token: string
  close(): Promise<void>
}

/** LAKE_COMPACT_BYTES: a byte count; a typo would otherwise turn compaction off without a word. */
function compactThreshold(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined
  const bytes = Number(value)
  if (!Number.isInteger(bytes) || bytes < 0) throw new Error(`LAKE_COMPACT_BYTES=${value} is not a byte count (a whole number, e.g. 8000000)`)
  return bytes
}

/** A port from an environment variable: the fallback when unset, 0 for any free port. */
export function portFrom(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback
  const port = Number(value)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name}=${value} is not a port number (0-65535; 0 = any free port)`)
  return port
}

function listen(server: http.Server | http2.Http2SecureServer, port: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`${what} port ${port} on ${HOST} is in use; stop whatever uses it or set ${what === 'TLS' ? 'LAKE_TLS_PORT' : 'LAKE_PORT'} (0 = any free port)`)
          : err,
      )
    }
    server.once('error', onError)
    server.listen(port, HOST, () => {
      server.off('error', onError)
      resolve((server.address() as AddressInfo).port)
    })
  })
}

/** Starts the local lake in this process: one dataset, on 127.0.0.1 only. */
export async function startLake(options: StartLakeOptions = {}): Promise<RunningLake> {
  const dir = path.resolve(options.dir ?? (process.env.LAKE_DIR || DEFAULT_DIR))
  const port = options.port ?? portFrom(process.env.LAKE_PORT, DEFAULT_PORT, 'LAKE_PORT')
  const tlsEnv = process.env.LAKE_TLS_PORT
  // LAKE_TLS_PORT=off serves plain HTTP only (scripts and tests that do not need the Studio's HTTP/2).
  const tlsPort = options.tlsPort ?? (tlsEnv === 'off' ? false : portFrom(tlsEnv, DEFAULT_TLS_PORT, 'LAKE_TLS_PORT'))
  const log = options.log ?? (() => {})
  const limits = limitsFrom(process.env)
  setQueryTimeout(limits.queryTimeoutMs)

  ensurePrivateDir(dir) // 0700; an existing, looser directory is tightened with a warning
  const lock = acquireLock(dir)
  let dataset: Dataset | undefined
  const servers: Array<http.Server | http2.Http2SecureServer> = []
  const listeners = new ListenerHub(limits.listeners, limits.listenerBufferBytes)
  const sessions = new Set<http2.ServerHttp2Session>()
  const sockets = new Set<Socket>()
  let presence: PresenceHub | undefined
  try {
    dataset = Dataset.open(dir, {log, compactAboveBytes: compactThreshold(process.env.LAKE_COMPACT_BYTES)})
    const {token, file} = loadOrCreateToken(dir, options.token ?? process.env.LAKE_TOKEN)
    const ctx: LakeContext = {
      dataset,
      projectId: PROJECT_ID,
      datasetName: DATASET,
      token,
      tokenHint: file ? `the token is in ${file}` : 'the token is the LAKE_TOKEN the lake was started with',
      limits,
      usage: new Usage(),
      keepAliveMs: KEEP_ALIVE_MS,
      listeners,
      origins: originPolicyFrom(process.env),
      log,
    }
    const handler = admitRequests(createHandler(ctx), limits, ctx.usage, token, ctx.origins)
    const guardConnections = connectionGuard(limits, log)
    // Node checks header and request deadlines on this interval; a fraction of the shortest keeps them close to exact.
    const checkEveryMs = Math.max(100, Math.min(30_000, Math.floor(limits.headersTimeoutMs / 4)))
    const http1Options = {
      maxHeaderSize: limits.headerBytes,
      headersTimeout: limits.headersTimeoutMs,
      // The whole request, body included. A listener's request has no body and ends at once,
      // so this never cuts an open listener (checked in tests/hostile/limits-listen.test.ts).
      requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs.token,
      connectionsCheckingInterval: checkEveryMs,
    }
    // The Studio's presence WebSocket arrives as an HTTP/1.1 upgrade on either listener.
    presence = new PresenceHub({token, datasetName: DATASET, origins: ctx.origins, ...presenceLimitsFrom(process.env)})

    const plain = http.createServer(http1Options, handler)
    plain.on('upgrade', presence.handleUpgrade)
    plain.on('clientError', onClientError(limits))
    guardConnections(plain, true)
    servers.push(plain)
    const actualPort = await listen(plain, port, 'HTTP')

    let actualTlsPort: number | undefined
    if (tlsPort !== false) {
      const {cert, key} = await loadOrCreateCertificate(dir)
      const secure = http2.createSecureServer(
        {
          cert,
          key,
          allowHTTP1: true,
          // Room for every request and listener the caps allow, so a client past them gets the 429, not a refused stream.
          settings: {maxConcurrentStreams: limits.requestsPerClient.token + limits.listeners.token, maxHeaderListSize: limits.headerBytes},
        },
        handler,
      )
      // The HTTP/1.1 fallback reads these from the server object.
      Object.assign(secure, http1Options)
      secure.on('upgrade', presence.handleUpgrade)
      secure.on('clientError', onClientError(limits))
      guardConnections(secure, false)
      // http2 servers have no closeAllConnections(); track sessions and sockets to end them on close.
      secure.on('session', (session: http2.ServerHttp2Session) => {
        sessions.add(session)
        session.once('close', () => sessions.delete(session))
      })
      secure.on('secureConnection', (socket: Socket) => {
        sockets.add(socket)
        socket.once('close', () => sockets.delete(socket))
      })
      servers.push(secure)
      actualTlsPort = await listen(secure, tlsPort, 'TLS')
    }

    let closing: Promise<void> | undefined
    const running: RunningLake = {
      url: `http://${HOST}:${actualPort}`,
      tlsUrl: actualTlsPort === undefined ? undefined : `https://${HOST}:${actualTlsPort}`,
      port: actualPort,
      tlsPort: actualTlsPort,
      projectId: PROJECT_ID,
      dataset: DATASET,
      token,
      close: () => {
        closing ??= (async () => {
          listeners.closeAll()
          presence?.close()
          for (const session of sessions) session.destroy()
          for (const socket of sockets) socket.destroy()
          await Promise.all(
            servers.map(
              (server) =>
                new Promise<void>((resolve) => {
                  server.close(() => resolve())
                  if ('closeAllConnections' in server) server.closeAllConnections()
                }),
            ),
          )
          // close() waits for the transactions awaiting their fsync (group commit).
          await dataset?.exclusive(() => dataset?.close())
          lock.release()
        })()
        return closing
      },
    }
    return running
  } catch (err) {
    presence?.close()
    for (const server of servers) server.close()
    await dataset?.close()
    lock.release()
    throw err
  }
}
