import fs from 'node:fs'
import path from 'node:path'
import {TOKEN_FILE} from './auth'
import {Dataset, type ImportMode} from './dataset'
import {acquireLock} from './lock'
import {ensurePrivateDir} from './private'
import {DEFAULT_DIR, startLake} from './server'

const USAGE = `usage:
  npm run lake                                  serve the local lake (env LAKE_DIR, LAKE_PORT, LAKE_TLS_PORT, LAKE_TOKEN)
  npm run lake -- import <file.ndjson> [--replace|--missing]
  npm run lake -- export <file.ndjson> [--types a,b]`

function lakeDir(): string {
  return path.resolve(process.env.LAKE_DIR || DEFAULT_DIR)
}

/**
 * Import and export work on the files directly and take the directory lock, so they
 * refuse to run while a server owns the directory: one writer, and no second copy of the
 * state in memory that could diverge. Stop the server (or use its HTTP export) first.
 */
async function withDataset<T>(fn: (dataset: Dataset) => T | Promise<T>): Promise<T> {
  const dir = lakeDir()
  ensurePrivateDir(dir)
  const lock = acquireLock(dir)
  try {
    const dataset = Dataset.open(dir, {log: (line) => console.error(line)})
    try {
      return await fn(dataset)
    } finally {
      await dataset.close()
    }
  } finally {
    lock.release()
  }
}

async function runImport(args: string[]): Promise<void> {
  const file = args.find((a) => !a.startsWith('--'))
  if (!file) throw new Error(`import needs a file\n${USAGE}`)
  const unknown = args.filter((a) => a.startsWith('--') && a !== '--replace' && a !== '--missing')
  if (unknown.length > 0) throw new Error(`unknown option ${unknown[0]}\n${USAGE}`)
  if (args.includes('--replace') && args.includes('--missing')) throw new Error('give either --replace or --missing, not both')
  const mode: ImportMode = args.includes('--replace') ? 'replace' : args.includes('--missing') ? 'missing' : 'fail'
  const text = fs.readFileSync(file, 'utf8')
  const docs = text
    .split('\n')
    .map((line, i) => ({line, i}))
    .filter(({line}) => line.trim() !== '')
    .map(({line, i}) => {
      try {
        return JSON.parse(line) as unknown
      } catch (err) {
        throw new Error(`${file}:${i + 1} is not valid JSON (${(err as Error).message}); nothing was imported`)
      }
    })
  const result = await withDataset((dataset) => dataset.importDocuments(docs, mode))
  console.log(`imported ${file} into ${lakeDir()}: ${result.created} created, ${result.replaced} replaced, ${result.skipped} skipped`)
}

async function runExport(args: string[]): Promise<void> {
  let types: Set<string> | null = null
  const rest: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--types') types = new Set((args[++i] ?? '').split(',').filter(Boolean))
    else rest.push(args[i])
  }
  const file = rest[0]
  if (!file) throw new Error(`export needs a file\n${USAGE}`)
  const lines = await withDataset((dataset) =>
    dataset.store
      .all()
      .filter((doc) => !types || types.has(doc._type))
      .map((doc) => JSON.stringify(doc) + '\n'),
  )
  const tmp = `${file}.tmp-${process.pid}`
  // Exports hold drafts: readable by their owner only, like the lake's own files.
  fs.writeFileSync(tmp, lines.join(''), {mode: 0o600})
  fs.renameSync(tmp, file)
  console.log(`exported ${lines.length} documents from ${lakeDir()} to ${file}`)
}

async function serve(): Promise<void> {
  const lake = await startLake({log: (line) => console.error(`lake: ${line}`)})
  const dir = lakeDir()
  const tokenWhere = process.env.LAKE_TOKEN ? 'from LAKE_TOKEN' : `in ${path.join(dir, TOKEN_FILE)}`
  const lines = [
    `local lake: project "${lake.projectId}", dataset "${lake.dataset}"`,
    `  http   ${lake.url}`,
    ...(lake.tlsUrl ? [`  https  ${lake.tlsUrl}  (HTTP/2, self-signed; Studio host https://${lake.projectId}.localhost:${lake.tlsPort})`] : []),
    `  data   ${dir}`,
    `  token  ${tokenWhere}  (send as Authorization: Bearer <token>)`,
  ]
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) return
    stopping = true
    console.error(`lake: ${signal}, stopping`)
    lake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
  // Only now say we are ready: a SIGTERM sent on these lines must find the handler that releases the lock.
  process.stdout.write(lines.join('\n') + '\n')
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv
  if (command === undefined || command === 'serve') return serve()
  if (command === 'import') return runImport(args)
  if (command === 'export') return runExport(args)
  if (command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE)
    return
  }
  throw new Error(`unknown command "${command}"\n${USAGE}`)
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`lake: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
