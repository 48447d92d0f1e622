// Where the site reads from: the hosted project when SANITY_* is set, else a local lake that is
// already running. Unlike connect() (src/client.ts) it never starts a lake of its own: a site that
// quietly served its own empty dataset would hide the editors' work.
import {createClient, type SanityClient} from '@sanity/client'
import {clientConfigFromEnv, type Target} from '../client'
import {lakeAnswers, runningLakeToken} from '../lake/discover'

export interface SiteSource {
  /** Reads the published perspective; `withConfig({perspective: 'drafts'})` for preview. */
  client: SanityClient
  target: Target
  /** The token the site reads with (drafts, listener); never sent to a browser. */
  token?: string
}

/** Thrown when no lake answers; the CLI prints it and exits 1. */
export class NoLakeError extends Error {}

type Env = Record<string, string | undefined>

export async function connectSite(env: Env = process.env): Promise<SiteSource> {
  const resolved = clientConfigFromEnv(env)
  let token = resolved.config.token
  if (resolved.target === 'lake' && resolved.lake) {
    const apiHost = resolved.config.apiHost as string
    if (!(await lakeAnswers(apiHost))) {
      throw new NoLakeError(
        `no local lake answers on ${apiHost}: start one with npm run lake (or set LAKE_PORT to the port of the lake you run, or SANITY_* for a hosted project)`,
      )
    }
    token = runningLakeToken(apiHost, resolved.lake.dir, token)
  }
  const client = createClient({...resolved.config, ...(token ? {token} : {}), perspective: 'published', useCdn: false})
  return {client, target: resolved.target, ...(token ? {token} : {})}
}
