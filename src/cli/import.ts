// npm run -s import -- <page.txt>… [--agency <organization id>|none]
// Prints the documents the importer would create as NDJSON on stdout (Arabic as-is) and writes
// nothing. Warnings go to stderr; an error is one line on stderr and exit code 1.
import {readFileSync, statSync} from 'node:fs'
import {basename} from 'node:path'
import {pathToFileURL} from 'node:url'
import {importAgencyPage} from '../content/importer'
import type {KnownEntities, NewsroomDoc, OrganizationDoc, PersonDoc} from '../content/types'
import {seedAgencyId, seedEntities} from '../../seed/entities'

const USAGE = 'usage: npm run -s import -- <page.txt>… [--agency <organization id>|none]'

export interface ImportArgs {
  files: string[]
  agency?: string
}

export function parseImportArgs(argv: readonly string[]): ImportArgs {
  const files: string[] = []
  let agency: string | undefined = seedAgencyId
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--agency' || arg.startsWith('--agency=')) {
      const value = arg === '--agency' ? argv[++i] : arg.slice('--agency='.length)
      if (!value) throw new Error('--agency needs an organization id, or "none"')
      agency = value === 'none' ? undefined : value
    } else if (arg === '--help' || arg === '-h') {
      throw new Error(USAGE)
    } else if (arg.startsWith('--')) {
      throw new Error(`unknown option ${arg} (${USAGE})`)
    } else files.push(arg)
  }
  if (files.length === 0) throw new Error(`no page file given (${USAGE})`)
  return {files, ...(agency ? {agency} : {})}
}

/** «000_7c4fc380b91d5dac.txt» → «7c4fc380b91d5dac»; other names → undefined (hash of the text). */
export function sourceKeyFromFileName(file: string): string | undefined {
  return /^\d+_([A-Za-z0-9_-]+)\.[A-Za-z0-9]+$/.exec(basename(file))?.[1]
}

export function readPage(file: string): string {
  let text: string
  try {
    if (!statSync(file).isFile()) throw new Error(`${file} is not a file`)
    text = readFileSync(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new Error(`${file}: no such file`)
    throw new Error(`${file}: cannot read (${error instanceof Error ? error.message : String(error)})`)
  }
  if (text.trim() === '') throw new Error(`${file}: the file is empty`)
  return text
}

/** Import pages in order; entities created for one page are known to the next. Documents once each. */
export function importPages(pages: ReadonlyArray<{file: string; text: string}>, agency?: string): {
  documents: NewsroomDoc[]
  warnings: string[]
} {
  let entities: KnownEntities = seedEntities
  const documents = new Map<string, NewsroomDoc>()
  const warnings: string[] = []
  for (const {file, text} of pages) {
    const sourceKey = sourceKeyFromFileName(file)
    const result = importAgencyPage(text, {entities, ...(sourceKey ? {sourceKey} : {}), ...(agency ? {agency} : {})})
    for (const w of result.warnings) warnings.push(`${file}: ${w}`)
    for (const doc of result.documents) if (!documents.has(doc._id)) documents.set(doc._id, doc)
    const known = new Set([...entities.people, ...entities.organizations].map((d) => d._id))
    entities = {
      ...entities,
      people: [...entities.people, ...result.people.filter((p: PersonDoc) => !known.has(p._id))],
      organizations: [...entities.organizations, ...result.organizations.filter((o: OrganizationDoc) => !known.has(o._id))],
    }
  }
  return {documents: [...documents.values()], warnings}
}

export function main(argv: readonly string[]): number {
  try {
    const args = parseImportArgs(argv)
    const pages = args.files.map((file) => ({file, text: readPage(file)}))
    const {documents, warnings} = importPages(pages, args.agency)
    for (const w of warnings) process.stderr.write(`import: warning: ${w}\n`)
    process.stdout.write(documents.map((d) => `${JSON.stringify(d)}\n`).join(''))
    return 0
  } catch (error) {
    process.stderr.write(`import: ${error instanceof Error ? error.message : String(error)}\n`)
    return 1
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv.slice(2))
