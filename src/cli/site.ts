// npm run site: the reader's site on 127.0.0.1:SITE_PORT, reading a running local lake (LAKE_PORT,
// LAKE_DIR) or the hosted project when SANITY_* is set. It never starts a lake of its own.
import {DEFAULT_SITE_PORT, DEFAULT_STUDIO_PORT, siteConfigFromEnv} from '../site/config'
import {startSite} from '../site/server'
import {connectSite} from '../site/source'
import {parseOptions, portOption, runCommand} from './args'

export const USAGE = `usage: npm run site [-- --port <n>]

Serves the reader's site on http://127.0.0.1:$SITE_PORT from a running local lake
(start one with npm run lake) or from the hosted project when SANITY_* is set.

options:
  --port <n>           port to listen on (overrides SITE_PORT)
  -h, --help           show this help

environment:
  SITE_PORT            port to listen on, 127.0.0.1 only (default ${DEFAULT_SITE_PORT}; 0 = any free port)
  SITE_URL             public base address for canonical links, feed and sitemap (default http://127.0.0.1:$SITE_PORT)
  SITE_NAME            the site's name in titles and the feed (default غرفة الأخبار)
  SITE_PREVIEW_SECRET  secret for /api/preview?secret=… (at least 16 characters; default: one made per run,
                       readable by token holders at GET /api/preview/secret)
  SITE_STUDIO_URL      the Studio that may frame the site and that click-to-edit points at
                       (default http://127.0.0.1:$STUDIO_PORT, STUDIO_PORT default ${DEFAULT_STUDIO_PORT})
  LAKE_PORT, LAKE_DIR, LAKE_TOKEN                       which local lake to read (as npm run query)
  SANITY_PROJECT_ID, SANITY_DATASET, SANITY_API_TOKEN   read a hosted project instead

examples:
  npm run lake            # in another terminal, then:
  npm run site
  npm run site -- --port 3001`

async function main(argv: string[]): Promise<void> {
  const {values} = parseOptions({args: argv, options: {port: {type: 'string'}}})
  if (values.port !== undefined) process.env.SITE_PORT = String(portOption(values.port, '--port', {allowZero: true}))
  const config = siteConfigFromEnv()
  const source = await connectSite()
  const site = await startSite({source, config, buildOverlayNow: true})
  const {apiHost, projectId, dataset} = source.client.config()
  console.log(`site: ${site.url}`)
  console.log(`  reading ${source.target === 'lake' ? `the local lake at ${apiHost}` : `hosted project ${projectId}/${dataset}`}`)
  if (config.siteUrl) console.log(`  public address ${config.siteUrl}`)
  console.log(
    source.token
      ? `  draft preview: send "Authorization: Bearer <token>", or open /api/preview?secret=… (${config.previewSecret ? 'SITE_PREVIEW_SECRET' : 'per-run secret: GET /api/preview/secret with the token'})`
      : '  draft preview: off (no token)',
  )
  if (source.token) {
    console.log(`  Presentation tool: start the Studio with SANITY_STUDIO_PREVIEW_URL=${config.siteUrl ?? site.url} (it must be able to frame the site: https, or npm run dev)`)
  }
  const stop = () => {
    void site.close().then(() => process.exit(0))
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

runCommand({name: 'site', usage: USAGE}, main)
