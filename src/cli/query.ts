import type {ClientPerspective} from '@sanity/client'
import {connect} from '../client'

const USAGE = "usage: npm run -s query -- '<GROQ>' [--param name=<JSON>]… [--perspective raw|published|drafts]"

interface Args {
  query: string
  params: Record<string, unknown>
  perspective?: ClientPerspective
}

export function parseArgs(argv: string[]): Args {
  let query: string | undefined
  const params: Record<string, unknown> = {}
  let perspective: ClientPerspective | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--param' || arg.startsWith('--param=')) {
      const spec = arg === '--param' ? argv[++i] : arg.slice('--param='.length)
      const eq = spec?.indexOf('=') ?? -1
      if (!spec || eq <= 0) throw new Error(`--param needs name=<JSON>, e.g. --param slug='"my-slug"'`)
      const name = spec.slice(0, eq)
      const raw = spec.slice(eq + 1)
      if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new Error(`--param ${name}: not a valid GROQ parameter name`)
      try {
        params[name] = JSON.parse(raw)
      } catch {
        throw new Error(`--param ${name}: ${JSON.stringify(raw)} is not JSON (quote strings: --param ${name}='"text"')`)
      }
    } else if (arg === '--perspective' || arg.startsWith('--perspective=')) {
      const value = arg === '--perspective' ? argv[++i] : arg.slice('--perspective='.length)
      if (!value) throw new Error('--perspective needs raw, published, drafts or release names')
      perspective = (value.includes(',') ? value.split(',') : value) as ClientPerspective
    } else if (arg.startsWith('--')) {
      throw new Error(`unknown option ${arg}. ${USAGE}`)
    } else if (query === undefined) {
      query = arg
    } else {
      throw new Error(`more than one query given (${JSON.stringify(arg)}); quote the whole query. ${USAGE}`)
    }
  }
  if (!query) throw new Error(`no query given. ${USAGE}`)
  return {query, params, perspective}
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2))
  const connection = await connect()
  try {
    const result = await connection.client.fetch(args.query, args.params, args.perspective ? {perspective: args.perspective} : {})
    // JSON.stringify keeps non-ASCII (Arabic) as-is.
    process.stdout.write(JSON.stringify(result ?? null, null, 2) + '\n')
  } finally {
    await connection.close()
  }
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err)
  console.error(`query: ${message.replace(/\s*\n\s*/g, ' ')}`)
  process.exitCode = 1
})
