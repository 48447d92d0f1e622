import fs from 'node:fs'
import path from 'node:path'
import {TOKEN_FILE} from './auth'
import {serveBanner} from './banner'
import {Dataset, type ImportMode} from './dataset'
import {lakeAnswers, runningLakeToken} from './discover'
import {readImportSource} from './importSource'
import {acquireLock, type DirLock} from './lock'
import {ensurePrivateDir} from './private'
import {exportFromLake, importIntoLake, type RunningLake} from './remoteTransfer'
import {exportDatasetArchive, exportLakeArchive, readArchiveAssets, storeArchiveAssets} from './assetArchive'
import {DATASET, DEFAULT_DIR, DEFAULT_PORT, portFrom, PROJECT_ID, startLake} from './server'
import {parseOptions, portOption, readableFile, runCommand, UsageError, writableFile} from '../cli/args'

export const USAGE = `usage:
  npm run lake [-- serve] [--port <n>]              serve the local lake
  npm run lake -- import <file|-> [--replace|--missing]
  npm run lake -- export <file|-> [--types a,b]

serve    the lake on 127.0.0.1: data in LAKE_DIR (default .lake), HTTP on LAKE_PORT (default 7700,
         or --port; 0 = any free port), HTTP/2 over TLS on LAKE_TLS_PORT (default 7743; off = none),
         token from LAKE_TOKEN or LAKE_DIR/token (made on first start).
import   NDJSON (one document a line) or a \`sanity dataset export\` .tar.gz; - reads stdin.
         --replace overwrites documents that exist, --missing skips them; default: fail on any.
export   NDJSON; - writes stdout; <file>.tar.gz: with the asset files, as sanity dataset export does.
         --types a,b keeps those document types only.
import and export work on a stopped lake's files, or over the API of the lake running on LAKE_DIR
(at LAKE_PORT).

examples:
  npm run lake
  npm run lake -- export backup.ndjson
  npm run -s lake -- export - | LAKE_DIR=.lake-copy npm run -s lake -- import -
  npm run lake -- import production.tar.gz --replace`

function lakeDir(): string {
  return path.resolve(process.env.LAKE_DIR || DEFAULT_DIR)
}

function progress(line: string): void {
  process.stderr.write(`${line}\n`)
}

/**
 * Where import and export go: the files themselves when no lake runs on the directory (the lock
 * keeps a lake from starting meanwhile), else the API of the lake that owns it, at LAKE_PORT.
 */
async function openTarget(): Promise<{lock: DirLock} | {lake: RunningLake}> {
  const dir = lakeDir()
  ensurePrivateDir(dir)
  try {
    return {lock: acquireLock(dir)}
  } catch (err) {
    const refusal = (err as Error).message
    if (!refusal.startsWith('another lake')) throw err
    const port = portFrom(process.env.LAKE_PORT, DEFAULT_PORT, 'LAKE_PORT')
    const url = `http://127.0.0.1:${port}`
    if (port === 0 || !(await lakeAnswers(url))) {
      throw new Error(`${refusal.split(';')[0]}, and no lake answers on ${url}: set LAKE_PORT to the port that lake printed, or stop it`)
    }
    const lake = {url, token: runningLakeToken(url, dir, process.env.LAKE_TOKEN), dataset: DATASET}
    const me = await fetch(`${url}/v1/users/me`, {headers: {authorization: `Bearer ${lake.token}`}})
    if (me.status === 401) {
      throw new Error(`the lake on ${url} does not take the token of ${dir} (${process.env.LAKE_TOKEN ? 'LAKE_TOKEN' : path.join(dir, TOKEN_FILE)}): it serves another directory; set LAKE_PORT to the port of the lake that owns ${dir}`)
    }
    progress(`lake: ${dir} is served by the lake on ${url}: going through its API`)
    return {lake}
  }
}

async function withDataset<T>(lock: DirLock, fn: (dataset: Dataset) => T | Promise<T>): Promise<T> {
  try {
    const dataset = Dataset.open(lakeDir(), {log: (line) => console.error(line)})
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
  const {values, positionals} = parseOptions({
    args,
    options: {replace: {type: 'boolean'}, missing: {type: 'boolean'}},
    allowPositionals: true,
  })
  const file = positionals[0]
  if (file === undefined) throw new UsageError('import needs a file (or - for stdin)')
  if (positionals.length > 1) throw new UsageError(`import takes one file, not ${positionals.length}`)
  if (values.replace && values.missing) throw new UsageError('give either --replace or --missing, not both')
  readableFile(file, 'the import file')
  const mode: ImportMode = values.replace ? 'replace' : values.missing ? 'missing' : 'fail'
  const source = await readImportSource(file)
  const label = file === '-' ? 'stdin' : file
  // An archive's asset files (assetArchive.ts): read again from the file (stdin cannot be read twice).
  const archive = file !== '-' && source.skippedAssets > 0 ? await readArchiveAssets(file, source.docs, archiveTarget()) : undefined
  if (!archive && (source.skippedAssets > 0 || source.assetFields > 0)) {
    progress(
      `lake: skipped ${source.skippedAssets} asset file(s) of the archive (they are read from a file argument, not from stdin); ` +
        `${source.assetFields} field(s) pointing at them (_sanityAsset) are imported as they are`,
    )
  }
  progress(`lake: importing ${source.docs.length} documents from ${label}`)
  const target = await openTarget()
  const result =
    'lake' in target
      ? await importIntoLake(target.lake, archive ? await storeArchiveAssets(target, archive) : source.docs, mode, (done, total) => progress(`lake: imported ${done}/${total} documents`))
      : await withDataset(target.lock, async (dataset) => dataset.importDocuments(archive ? await storeArchiveAssets({dataset}, archive) : source.docs, mode))
  const where = 'lake' in target ? target.lake.url : lakeDir()
  console.log(`imported ${label} into ${where}: ${result.created} created, ${result.replaced} replaced, ${result.skipped} skipped`)
}

/** Where an imported archive's asset documents say their files are served (the lake's HTTP port). */
function archiveTarget(): {origin: string; projectId: string; datasetName: string} {
  return {origin: `http://127.0.0.1:${portFrom(process.env.LAKE_PORT, DEFAULT_PORT, 'LAKE_PORT') || DEFAULT_PORT}`, projectId: PROJECT_ID, datasetName: DATASET}
}

/** `export <file>.tar.gz`: data.ndjson plus images/ and files/, as `sanity dataset export` writes them. */
async function runExportArchive(file: string, types: Set<string> | null): Promise<void> {
  const target = await openTarget()
  const warn = (line: string) => progress(`lake: ${line}`)
  const result =
    'lake' in target
      ? await exportLakeArchive(target.lake, file, types, warn)
      : await withDataset(target.lock, (dataset) => exportDatasetArchive(dataset, file, types, warn))
  const where = 'lake' in target ? target.lake.url : lakeDir()
  console.log(`exported ${result.documents} documents and ${result.assets} asset files from ${where} to ${file}`)
}

async function runExport(args: string[]): Promise<void> {
  const {values, positionals} = parseOptions({args, options: {types: {type: 'string'}}, allowPositionals: true})
  const types = values.types === undefined ? null : new Set(values.types.split(',').map((t) => t.trim()).filter(Boolean))
  if (types && types.size === 0) throw new UsageError('--types needs document types, e.g. --types article,person')
  const file = positionals[0]
  if (file === undefined) throw new UsageError('export needs a file (or - for stdout)')
  if (positionals.length > 1) throw new UsageError(`export takes one file, not ${positionals.length}`)
  writableFile(file, 'the export file')
  if (/\.(tar\.gz|tgz)$/i.test(file)) return runExportArchive(file, types)
  const toStdout = file === '-'
  const tmp = `${file}.tmp-${process.pid}`
  // Exports hold drafts: readable by their owner only, like the lake's own files.
  const out = toStdout ? process.stdout : fs.createWriteStream(tmp, {mode: 0o600})
  const target = await openTarget()
  let count: number
  try {
    if ('lake' in target) {
      let told = 0
      count = await exportFromLake(target.lake, types, out, (docs) => {
        if (docs - told >= 10_000) progress(`lake: exported ${(told = docs)} documents`)
      })
    } else {
      count = await withDataset(target.lock, async (dataset) => {
        let n = 0
        for (const doc of dataset.store.all()) {
          if (types && !types.has(doc._type)) continue
          if (!out.write(JSON.stringify(doc) + '\n')) await new Promise<void>((resolve) => out.once('drain', resolve))
          n++
        }
        return n
      })
    }
    if (!toStdout) {
      await new Promise<void>((resolve, reject) => (out as fs.WriteStream).end((err?: Error | null) => (err ? reject(err) : resolve())))
      fs.renameSync(tmp, file)
    }
  } catch (err) {
    if (!toStdout) fs.rmSync(tmp, {force: true})
    throw err
  }
  const where = 'lake' in target ? target.lake.url : lakeDir()
  // On stdout only the documents, when they go there.
  ;(toStdout ? progress : console.log)(`exported ${count} documents from ${where} to ${toStdout ? 'stdout' : file}`)
}

async function serve(): Promise<void> {
  const lake = await startLake({log: (line) => console.error(`lake: ${line}`)})
  const dir = lakeDir()
  const tokenWhere = process.env.LAKE_TOKEN ? 'from LAKE_TOKEN' : `in ${path.join(dir, TOKEN_FILE)}`
  const lines = serveBanner({...lake, dir, tokenWhere})
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

async function runServe(args: string[]): Promise<void> {
  const {values, positionals} = parseOptions({args, options: {port: {type: 'string'}}, allowPositionals: true})
  if (positionals.length > 0) throw new UsageError(`serve takes no arguments (got ${JSON.stringify(positionals[0])})`)
  if (values.port !== undefined) process.env.LAKE_PORT = String(portOption(values.port, '--port', {allowZero: true}))
  return serve()
}

async function main(argv: string[]): Promise<number | void> {
  const [command, ...args] = argv
  if (command === 'help') {
    process.stdout.write(`${USAGE}\n`)
    return 0
  }
  if (command === undefined || command === 'serve') return runServe(args)
  if (command.startsWith('-')) return runServe(argv)
  if (command === 'import') return runImport(args).then(() => 0)
  if (command === 'export') return runExport(args).then(() => 0)
  throw new UsageError(`unknown command ${JSON.stringify(command)} (serve, import or export)`)
}

runCommand({name: 'lake', usage: USAGE}, main)
