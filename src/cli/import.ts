// npm run -s import -- <files or directories>… [--write] [--agency <organization id>|none]
// Without --write: a dry run printing the documents as NDJSON on stdout (stdout carries only NDJSON).
// With --write: creates them through the API (the local lake, or the hosted project when SANITY_* is
// set), idempotently, with progress and a summary on stderr. Warnings, notes and each dropped line's
// reason go to stderr; an error is one line on stderr and exit code 1.
import {readdirSync, readFileSync, statSync} from 'node:fs'
import {basename, join} from 'node:path'
import {connect} from '../client'
import {importAgencyPage} from '../importer/importer'
import type {KnownEntities, NewsroomDoc, OrganizationDoc, PersonDoc} from '../importer/types'
import {datasetEntities, withDataset, writeDocuments} from '../importer/write'
import {seedEntities} from '../../seed/entities'
import {isMain, parseOptions, runCommand, UsageError} from './args'

export const USAGE = `usage: npm run -s import -- <page.txt | directory>… [options]

Imports Arabic news pages saved as plain text (the page's visible lines) into newsroom documents:
article, quotes, people and organizations. A directory means every .txt file in it (recursively).

options:
  --write            create the documents in the dataset (local lake, or hosted when SANITY_* is set);
                     documents already there are left as they are, so a second run creates nothing
  --agency <id>      the source outlet (an organization id); "none" for no outlet. Default: read
                     from the page («المصدر: …», a dateline, the outlet's name), else left unset
  -q, --quiet        no notes or progress on stderr (warnings still)
  -h, --help         show this help

examples:
  npm run -s import -- page.txt                       # dry run: NDJSON on stdout
  npm run -s import -- pages/ > documents.ndjson      # a whole directory
  npm run -s import -- pages/ --write                 # into the local lake (started if not running)
  SANITY_PROJECT_ID=… SANITY_API_TOKEN=… npm run -s import -- pages/ --write   # hosted project`

export interface ImportArgs {
  files: string[]
  /** An organization id, or null for none; undefined: read it from each page. */
  agency?: string | null
  write: boolean
  quiet: boolean
}

export function parseImportArgs(argv: readonly string[]): ImportArgs {
  const {values, positionals} = parseOptions({
    args: [...argv],
    options: {
      write: {type: 'boolean', default: false},
      agency: {type: 'string'},
      quiet: {type: 'boolean', short: 'q', default: false},
    },
    allowPositionals: true,
  })
  if (values.agency === '') throw new UsageError('--agency needs an organization id, or "none"')
  if (positionals.length === 0) throw new UsageError('no page file given')
  return {
    files: positionals,
    ...(values.agency !== undefined ? {agency: values.agency === 'none' ? null : values.agency} : {}),
    write: values.write,
    quiet: values.quiet,
  }
}

/** «000_7c4fc380b91d5dac.txt» → «7c4fc380b91d5dac»; other names → undefined (hash of the text). */
export function sourceKeyFromFileName(file: string): string | undefined {
  return /^\d+_([A-Za-z0-9_-]+)\.[A-Za-z0-9]+$/.exec(basename(file))?.[1]
}

/** Files and directories → page files, directories expanded to their .txt files in name order. */
export function expandPaths(paths: readonly string[]): string[] {
  const out: string[] = []
  for (const path of paths) {
    let stat
    try {
      stat = statSync(path)
    } catch {
      throw new UsageError(`${path}: no such file or directory`)
    }
    if (stat.isDirectory()) {
      const entries = readdirSync(path, {withFileTypes: true}).sort((a, b) => a.name.localeCompare(b.name))
      const inside = entries.flatMap((e) => (e.isDirectory() ? expandPaths([join(path, e.name)]) : e.name.endsWith('.txt') ? [join(path, e.name)] : []))
      if (inside.length === 0 && !entries.some((e) => e.isDirectory())) throw new Error(`${path}: no .txt files in this directory`)
      out.push(...inside)
    } else out.push(path)
  }
  return out
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

export interface PageImport {
  file: string
  documents: NewsroomDoc[]
}

/**
 * Import pages in order; entities created for one page are known to the next. Documents once each
 * (in `documents`), and per page (in `pages`, for writing page by page).
 */
export function importPages(
  pages: ReadonlyArray<{file: string; text: string}>,
  agency?: string | null,
  known: KnownEntities = seedEntities,
  onPage?: (index: number, file: string) => void,
): {documents: NewsroomDoc[]; warnings: string[]; notes: string[]; pages: PageImport[]} {
  let entities = known
  const documents = new Map<string, NewsroomDoc>()
  const warnings: string[] = []
  const notes: string[] = []
  const perPage: PageImport[] = []
  pages.forEach(({file, text}, index) => {
    const sourceKey = sourceKeyFromFileName(file)
    const result = importAgencyPage(text, {entities, ...(sourceKey ? {sourceKey} : {}), ...(agency !== undefined ? {agency} : {})})
    for (const w of result.warnings) warnings.push(`${file}: ${w}`)
    for (const n of result.notes) notes.push(`${file}: ${n}`)
    for (const f of result.findings) notes.push(`${file}: line ${f.lineNumber}: ${f.quoteId} (cue «${f.cue}», confidence ${f.confidence}: ${f.basis})`)
    for (const doc of result.documents) if (!documents.has(doc._id)) documents.set(doc._id, doc)
    perPage.push({file, documents: result.documents})
    const ids = new Set([...entities.people, ...entities.organizations].map((d) => d._id))
    entities = {
      ...entities,
      people: [...entities.people, ...result.people.filter((p: PersonDoc) => !ids.has(p._id))],
      organizations: [...entities.organizations, ...result.organizations.filter((o: OrganizationDoc) => !ids.has(o._id))],
    }
    onPage?.(index, file)
  })
  return {documents: [...documents.values()], warnings, notes, pages: perPage}
}

const byType = (docs: readonly {_type: string}[]): string => {
  const counts = new Map<string, number>()
  for (const doc of docs) counts.set(doc._type, (counts.get(doc._type) ?? 0) + 1)
  return [...counts].map(([type, n]) => `${n} ${type}`).join(', ')
}

/** A progress bar on a terminal, a line per page otherwise (only for runs of several pages). */
function progress(total: number, quiet: boolean): (done: number, label: string) => void {
  if (quiet || total < 2) return () => {}
  const tty = process.stderr.isTTY === true
  return (done, label) => {
    if (tty) {
      const width = 30
      const filled = Math.round((done / total) * width)
      process.stderr.write(`\rimport: [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${label.slice(0, 40).padEnd(40)}`)
      if (done === total) process.stderr.write('\n')
    } else process.stderr.write(`import: [${done}/${total}] ${label}\n`)
  }
}

export async function main(argv: readonly string[]): Promise<number> {
  const args = parseImportArgs(argv)
  const files = expandPaths(args.files)
  const pages = files.map((file) => ({file, text: readPage(file)}))
  const say = (line: string): void => {
    if (!args.quiet) process.stderr.write(`import: ${line}\n`)
  }
  if (!args.write) {
    const tick = progress(pages.length, args.quiet)
    const {documents, warnings, notes} = importPages(pages, args.agency, seedEntities, (i, file) => tick(i + 1, file))
    for (const w of warnings) process.stderr.write(`import: warning: ${w}\n`)
    for (const n of notes) say(`note: ${n}`)
    process.stdout.write(documents.map((d) => `${JSON.stringify(d)}\n`).join(''))
    return 0
  }
  const connection = await connect()
  try {
    const {client} = connection
    const {projectId, dataset} = client.config()
    say(`writing to ${connection.target === 'lake' ? 'the local lake' : 'hosted project'} ${projectId}/${dataset}`)
    const known = withDataset(seedEntities, await datasetEntities(client))
    say(`matching speakers against ${known.people.length} people and ${known.organizations.length} organizations`)
    const result = importPages(pages, args.agency, known)
    for (const w of result.warnings) process.stderr.write(`import: warning: ${w}\n`)
    for (const n of result.notes) say(`note: ${n}`)
    const tick = progress(result.pages.length, args.quiet)
    const created: NewsroomDoc[] = []
    let present = 0
    const changed: string[] = []
    const drafts: string[] = []
    const written = new Set<string>()
    for (const [i, page] of result.pages.entries()) {
      // a document shared by several pages (a speaker) is written with the first
      const docs = page.documents.filter((d) => !written.has(d._id))
      for (const d of docs) written.add(d._id)
      const report = await writeDocuments(client, docs)
      created.push(...report.plan.missing)
      present += report.plan.unchanged.length + report.plan.changed.length
      changed.push(...report.plan.changed.map((c) => `${c.document._id}: ${c.fields.join(', ')}`))
      drafts.push(...report.plan.drafts)
      tick(i + 1, page.file)
    }
    const review = result.documents.filter((d) => d._type === 'quote' && d.review?.needed).length
    process.stderr.write(
      [
        `import: ${pages.length} page${pages.length === 1 ? '' : 's'}, ${result.documents.length} documents`,
        `import: created:       ${created.length}${created.length ? ` (${byType(created)})` : ''}`,
        `import: already there: ${present}`,
        `import: differs:       ${changed.length}${changed.length ? ' (kept as edited; not overwritten)' : ''}`,
        ...changed.map((c) => `import:   ${c}`),
        ...drafts.map((id) => `import:   ${id}: has an unpublished draft (drafts.${id})`),
        `import: quotes to check: ${review}${review ? ' (Studio → Quotes → Quotes to check)' : ''}`,
      ].join('\n') + '\n',
    )
    return 0
  } finally {
    await connection.close()
  }
}

if (isMain(import.meta.url)) runCommand({name: 'import', usage: USAGE}, main)
