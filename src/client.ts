import fs from 'node:fs'
import path from 'node:path'
import {createClient, type ClientConfig, type SanityClient} from '@sanity/client'
import {CliError} from './cli/args'
import {startLakeProcess} from './cli/lakeProcess'
import {lakeAnswers, runningLakeToken} from './lake/discover'
import {DATASET, DEFAULT_DIR, DEFAULT_PORT, PROJECT_ID} from './lake/server'
import {LOG_FILE, SNAPSHOT_FILE} from './lake/wal'

export const API_VERSION = '2025-02-19'

export type Target = 'lake' | 'hosted'

export interface EnvClientConfig {
  target: Target
  /** Ready for createClient(); for the lake, `token` is only set when LAKE_TOKEN is. */
  config: ClientConfig
  /** For the lake: where its data (and token file) is and which port a running lake answers on. */
  lake?: {dir: string; port: number}
}

type Env = Record<string, string | undefined>

const HOSTED_VARS = ['SANITY_PROJECT_ID', 'SANITY_DATASET', 'SANITY_API_TOKEN'] as const

/**
 * Which Content Lake the environment points at, without touching the network or disk:
 * the hosted project when SANITY_* is set (SANITY_DATASET defaults to "production"),
 * otherwise the local lake (LAKE_PORT, LAKE_DIR, LAKE_TOKEN).
 */
export function clientConfigFromEnv(env: Env = process.env): EnvClientConfig {
  const given = HOSTED_VARS.filter((name) => (env[name] ?? '') !== '')
  if (given.length > 0) {
    const missing = (['SANITY_PROJECT_ID', 'SANITY_API_TOKEN'] as const).filter((name) => !given.includes(name))
    if (missing.length > 0) {
      throw new Error(
        `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set but ${given.join(', ')} ${given.length > 1 ? 'are' : 'is'}: ` +
          `set ${missing.join(' and ')} to use the hosted project, or unset the SANITY_* variables to use the local lake`,
      )
    }
    return {
      target: 'hosted',
      config: {
        projectId: env.SANITY_PROJECT_ID,
        dataset: env.SANITY_DATASET || DATASET,
        token: env.SANITY_API_TOKEN,
        apiVersion: API_VERSION,
        useCdn: false,
      },
    }
  }
  const portText = env.LAKE_PORT || String(DEFAULT_PORT)
  const port = Number(portText)
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`LAKE_PORT=${portText} is not a port number (1-65535)`)
  return {
    target: 'lake',
    config: {
      projectId: PROJECT_ID,
      dataset: DATASET,
      apiHost: `http://127.0.0.1:${port}`,
      useProjectHostname: false,
      apiVersion: API_VERSION,
      useCdn: false,
      ...(env.LAKE_TOKEN ? {token: env.LAKE_TOKEN} : {}),
    },
    lake: {dir: path.resolve(env.LAKE_DIR || DEFAULT_DIR), port},
  }
}

export interface Connection {
  client: SanityClient
  target: Target
  /** Where the data is, for messages: "the lake at <dir>", "the lake on <url>" or "hosted project <p>/<d>". */
  where: string
  /** Stops the lake process if this connection started one. */
  close(): Promise<void>
}

export interface ConnectOptions {
  env?: Env
  /**
   * For scripts that only read: a LAKE_DIR that holds no lake is an error (NoLakeError) instead of
   * a new, empty lake made on the spot.
   */
  readOnly?: boolean
}

/** No lake answers and LAKE_DIR holds none: said, never papered over with an empty lake. */
export class NoLakeError extends Error {}

/**
 * The one way scripts get a client. Hosted when SANITY_* is set; otherwise a lake already
 * answering on LAKE_PORT, or else one started as a child process on LAKE_DIR (a free port, HTTP
 * only) for as long as the connection is open: the script never loads the dataset itself.
 */
export async function connect(options: ConnectOptions = {}): Promise<Connection> {
  const env = options.env ?? process.env
  const resolved = clientConfigFromEnv(env)
  if (resolved.target === 'hosted' || !resolved.lake) {
    const {projectId, dataset} = resolved.config
    return {client: createClient(resolved.config), target: 'hosted', where: `hosted project ${projectId}/${dataset}`, close: async () => {}}
  }
  const {dir} = resolved.lake
  const apiHost = resolved.config.apiHost as string
  if (await lakeAnswers(apiHost)) {
    const token = runningLakeToken(apiHost, dir, resolved.config.token)
    return {client: createClient({...resolved.config, token}), target: 'lake', where: `the lake on ${apiHost}`, close: async () => {}}
  }
  if (options.readOnly && !holdsLake(dir)) {
    const named = env.LAKE_DIR ? `LAKE_DIR=${env.LAKE_DIR}` : `LAKE_DIR is not set: the default is ${DEFAULT_DIR}`
    throw new NoLakeError(
      `no lake at ${dir} (${named}), and none answers on ${apiHost}: ` +
        `run npm run seed to make one there, or set LAKE_DIR to a lake's directory (or LAKE_PORT to a running lake's port)`,
    )
  }
  const lake = await startLakeProcess({dir, token: env.LAKE_TOKEN || undefined, env})
  return {
    client: createClient({...resolved.config, apiHost: lake.url, token: lake.token}),
    target: 'lake',
    where: `the lake at ${dir}`,
    close: () => lake.close(),
  }
}

/** Whether a directory holds a lake's data (its transaction log or snapshot), without opening it. */
function holdsLake(dir: string): boolean {
  return [LOG_FILE, SNAPSHOT_FILE].some((file) => fs.existsSync(path.join(dir, file)))
}

/**
 * For read-only scripts that found nothing: a local lake without a single document is said to
 * be empty (CliError, exit 1) rather than answering `null`.
 */
export async function assertNotEmpty(connection: Connection): Promise<void> {
  if (connection.target !== 'lake') return
  const any = await connection.client.fetch<string | null>('*[0]._id', {}, {perspective: 'raw'})
  if (any === null) throw new CliError(`${connection.where} is empty: run npm run seed (or import documents with npm run lake -- import <file>)`)
}
