// Loaded into the unmodified Sanity CLI (and every Node process it starts) by `npm run sanity`
// through NODE_OPTIONS=--import, and only when it targets the local lake (src/cli/sanity.ts).
//
// The CLI has no API-host setting: it always asks https://api.sanity.io and
// https://<projectId>.api.sanity.io. Both of Node's HTTP stacks (https.request, used by
// @sanity/client's get-it, and undici, behind the global fetch that @sanity/migrate uses) open
// their TLS connections through `tls.connect`, looked up on the module at call time. So this
// wraps `tls.connect`: a connection to one of those two names goes to the lake's TLS port on
// 127.0.0.1 instead, and trusts the lake's own certificate, pinned, for it and nothing else.
// Every other connection is passed through untouched: no DNS, no trust store, no other host.
//
// src/cli/sanity.ts bundles it into one plain ES module (the CLI runs without tsx in its main thread).
import fs from 'node:fs'
import tls from 'node:tls'
import {mappedHosts, PRELOAD_ENV} from './sanityLakeHosts'


// undici may pass the port as a string.
type ConnectOptions = Omit<tls.ConnectionOptions, 'port'> & {host?: string; port?: number | string}

function install(target: string, caFile: string, projectId: string): void {
  const match = /^127\.0\.0\.1:(\d{1,5})$/.exec(target)
  if (!match) throw new Error(`${PRELOAD_ENV.target}=${target} is not 127.0.0.1:<port> (set by npm run sanity)`)
  const port = Number(match[1])
  let ca: string
  try {
    ca = fs.readFileSync(caFile, 'utf8')
  } catch (err) {
    throw new Error(`cannot read the local lake's certificate ${caFile} (${(err as Error).message}); start the lake once with TLS on`)
  }
  const names = new Set(mappedHosts(projectId))
  const original = tls.connect
  // The lake's certificate names localhost; it is the only trusted one for this connection,
  // so the chain check pins it and the name check is made against the name it was issued for.
  const checkServerIdentity = (_host: string, cert: tls.PeerCertificate) => tls.checkServerIdentity('localhost', cert)

  function connect(this: unknown, ...args: unknown[]): tls.TLSSocket {
    const options = args[0]
    if (options !== null && typeof options === 'object' && !(options as ConnectOptions).socket) {
      const opts = options as ConnectOptions
      const host = String(opts.host ?? '').toLowerCase().replace(/\.$/, '')
      const wantedPort = opts.port === undefined || opts.port === '' ? 443 : Number(opts.port)
      if (names.has(host) && wantedPort === 443) {
        args[0] = {
          ...opts,
          host: '127.0.0.1',
          port,
          servername: host,
          ca,
          rejectUnauthorized: true,
          checkServerIdentity,
        }
      }
    }
    return (original as (...a: unknown[]) => tls.TLSSocket).apply(this, args)
  }
  tls.connect = connect as typeof tls.connect
}

const target = process.env[PRELOAD_ENV.target]
const caFile = process.env[PRELOAD_ENV.caFile]
if (target && caFile) install(target, caFile, process.env[PRELOAD_ENV.projectId] || 'local')
