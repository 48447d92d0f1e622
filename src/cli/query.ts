// npm run -s query -- '<GROQ>': runs one GROQ query and prints the result as JSON.
import {assertNotEmpty, connect} from '../client'
import {isMain, parseOptions, readStdin, runCommand, UsageError, type Command} from './args'
import {formatQueryParseError, queryParseErrorOf} from './groqError'
import {checkReleasesExist, perspectiveOption, type PerspectiveOption} from './perspective'

export const command: Command = {
  name: 'query',
  usage: `usage: npm run -s query -- '<GROQ>' [options]
       npm run -s query -- - [options]        (the query from stdin)

Runs a GROQ query and prints the result as JSON. It reads the local lake answering on LAKE_PORT
(default 7700), else the one in LAKE_DIR (default .lake), started for this query only; or the hosted
project when SANITY_PROJECT_ID and SANITY_API_TOKEN are set. It never creates a lake: a missing or
empty one is an error.

options:
  --param <name>=<JSON>   a parameter ($name); repeat for more. Strings are JSON: --param slug='"my-slug"'
  --perspective <names>   raw, published (the default), drafts, or existing release names,
                          comma-separated for a stack (rSpring,drafts)
  -h, --help              show this help

examples:
  npm run -s query -- 'count(*)'
  npm run -s query -- '*[_type == "article"]{headline, "slug": slug.current}'
  npm run -s query -- '*[_type == "article" && slug.current == $slug][0].headline' --param slug='"my-slug"'
  npm run -s query -- '*[_id in path("drafts.**")]._id' --perspective raw
  npm run -s query -- - < query.groq

exit status: 0 done, 1 failed (a GROQ error is shown with a caret under its place), 2 bad arguments`,
}

export interface QueryArgs {
  /** The query, or `-` to read it from stdin. */
  query: string
  params: Record<string, unknown>
  perspective?: PerspectiveOption
}

export function parseQueryArgs(argv: readonly string[]): QueryArgs {
  const {values, positionals} = parseOptions({
    args: [...argv],
    options: {
      param: {type: 'string', multiple: true},
      perspective: {type: 'string'},
    },
    allowPositionals: true,
  })
  if (positionals.length === 0) throw new UsageError('no query given')
  if (positionals.length > 1) throw new UsageError(`more than one query given (${JSON.stringify(positionals[1])}): quote the whole query`)
  const params: Record<string, unknown> = {}
  for (const spec of values.param ?? []) {
    const eq = spec.indexOf('=')
    if (eq <= 0) throw new UsageError(`--param ${spec}: expected name=<JSON>, e.g. --param slug='"my-slug"'`)
    const name = spec.slice(0, eq)
    const raw = spec.slice(eq + 1)
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name)) throw new UsageError(`--param ${name}: not a valid GROQ parameter name`)
    try {
      params[name] = JSON.parse(raw)
    } catch {
      throw new UsageError(`--param ${name}: ${JSON.stringify(raw)} is not JSON (quote strings: --param ${name}='"text"')`)
    }
  }
  return {query: positionals[0]!, params, ...(values.perspective !== undefined ? {perspective: perspectiveOption(values.perspective)} : {})}
}

/** Nothing found: null, an empty array, or zero. */
const isNothing = (result: unknown): boolean => result === null || result === undefined || result === 0 || (Array.isArray(result) && result.length === 0)

async function main(argv: string[]): Promise<number> {
  const args = parseQueryArgs(argv)
  const query = args.query === '-' ? await readStdin() : args.query
  if (query.trim() === '') throw new UsageError(args.query === '-' ? 'stdin held no query' : 'the query is empty')
  const connection = await connect({readOnly: true})
  try {
    if (args.perspective) await checkReleasesExist(connection.client, args.perspective.releases)
    let result: unknown
    try {
      result = await connection.client.fetch(query, args.params, args.perspective ? {perspective: args.perspective.perspective} : {})
    } catch (error) {
      const parseError = queryParseErrorOf(error)
      if (parseError) {
        process.stderr.write(`query: ${formatQueryParseError(parseError)}\n`)
        return 1
      }
      throw error
    }
    if (isNothing(result)) await assertNotEmpty(connection)
    // JSON.stringify keeps non-ASCII (Arabic) as it is.
    process.stdout.write(JSON.stringify(result ?? null, null, 2) + '\n')
    return 0
  } finally {
    await connection.close()
  }
}

if (isMain(import.meta.url)) runCommand(command, main)
