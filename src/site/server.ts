// Starts the reader's site on 127.0.0.1 (never on other interfaces) for a lake or hosted project.
import type {Server} from 'node:http'
import type {AddressInfo} from 'node:net'
import {serve} from '@hono/node-server'
import {createApp} from './app'
import {SITE_HOST, type SiteConfig} from './config'
import {followLake, type Live} from './live'
import {createPreviewAuth, type PreviewAuth} from './preview'
import type {SiteSource} from './source'
import {visualEditingBundle} from './visualEditing'

export interface RunningSite {
  url: string
  port: number
  live: Live
  preview: PreviewAuth
  close(): Promise<void>
}

export interface StartSiteOptions {
  source: SiteSource
  config: SiteConfig
  log?: (line: string) => void
  /** Bundle the click-to-edit overlay now (the commands) rather than on the first preview page (tests, bench). */
  buildOverlayNow?: boolean
}

export async function startSite(options: StartSiteOptions): Promise<RunningSite> {
  const {source, config} = options
  const log = options.log ?? ((line: string) => console.error(line))
  const live = followLake(source.client, log)
  const preview = createPreviewAuth(config.previewSecret, source.token)
  let url = config.siteUrl ?? `http://${SITE_HOST}:${config.port}`
  const app = createApp({
    client: source.client,
    live,
    preview,
    siteUrl: () => url,
    siteName: config.siteName,
    studioUrl: config.studioUrl,
    ...(config.imageUrl ? {imageUrl: config.imageUrl} : {}),
    secureCookies: () => url.startsWith('https:'),
    // Built at start-up when preview is possible, so that the first preview page does not wait for it.
    visualEditing: visualEditingBundle({eager: Boolean(options.buildOverlayNow && source.token), log}),
    log,
  })

  const server = serve({fetch: app.fetch, hostname: SITE_HOST, port: config.port}) as Server
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      live.close()
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(`site port ${config.port} on ${SITE_HOST} is in use; stop whatever uses it or set SITE_PORT (0 = any free port)`)
          : err,
      )
    })
    server.once('listening', () => resolve((server.address() as AddressInfo).port))
  })
  const listening = `http://${SITE_HOST}:${port}`
  if (!config.siteUrl) url = listening

  return {
    url: listening,
    port,
    live,
    preview,
    close: () =>
      new Promise<void>((resolve) => {
        live.close()
        server.close(() => resolve())
        // Open /api/live streams would keep close() waiting for ever.
        server.closeAllConnections()
      }),
  }
}
