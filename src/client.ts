import path from 'node:path'
import {createClient, type ClientConfig, type SanityClient} from '@sanity/client'
import {lakeAnswers, runningLakeToken} from './lake/discover'
import {DATASET, DEFAULT_DIR, DEFAULT_PORT, PROJECT_ID, startLake} from './lake/server'

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
  /** Stops the in-process lake if this connection started one. */
  close(): Promise<void>
}

/**
 * The one way scripts and frontends get a client. Hosted when SANITY_* is set; otherwise a
 * lake already answering on LAKE_PORT, or else one started in this process on LAKE_DIR
 * (on a free port, HTTP only) for as long as the connection is open.
 */
export async function connect(options: {env?: Env} = {}): Promise<Connection> {
  const env = options.env ?? process.env
  const resolved = clientConfigFromEnv(env)
  if (resolved.target === 'hosted' || !resolved.lake) {
    return {client: createClient(resolved.config), target: 'hosted', close: async () => {}}
  }
  const {dir} = resolved.lake
  const apiHost = resolved.config.apiHost as string
  if (await lakeAnswers(apiHost)) {
    const token = runningLakeToken(apiHost, dir, resolved.config.token)
    return {client: createClient({...resolved.config, token}), target: 'lake', close: async () => {}}
  }
  const lake = await startLake({dir, port: 0, tlsPort: false, token: env.LAKE_TOKEN || undefined})
  return {
    client: createClient({...resolved.config, apiHost: lake.url, token: lake.token}),
    target: 'lake',
    close: () => lake.close(),
  }
}
