// npm run validate -- [file.ndjson …]
// Checks documents against the schema's rules: the NDJSON files given (e.g. an export or `npm run import`
// output; - = stdin), or else the whole dataset. One line per problem on stdout: document id, field path, message.
import {readFile} from 'node:fs/promises'
import {formatProblem, validateDocuments, type ExtractedSchema, type ValidatableDocument} from '../content/validate'
import {CliError, isMain, parseOptions, readableFile, readStdin, runCommand, UsageError, type Command} from './args'

export const command: Command = {
  name: 'validate',
  usage: `usage: npm run -s validate -- [<file.ndjson>|- …]

Checks documents against the schema's rules (schema.json): the NDJSON files given (one document a
line; - reads stdin), or else every document of the dataset: the local lake (as npm run query reads
it) or the hosted project when SANITY_* is set. One line per problem on stdout:
<document id> TAB <field path> TAB <message>; the count on stderr.

options:
  -h, --help   show this help

examples:
  npm run -s validate
  npm run -s validate -- export.ndjson
  npm run -s import -- pages/ | npm run -s validate -- -

exit status: 0 no problems, 1 problems found, 2 could not check (bad arguments, unreadable file, no lake)`,
}

async function main(argv: string[]): Promise<number> {
  const {positionals: files} = parseOptions({args: argv, options: {}, allowPositionals: true})
  for (const file of files) readableFile(file, 'the file')
  if (files.filter((file) => file === '-').length > 1) throw new UsageError('- (stdin) can be given once')
  const schema = JSON.parse(await readFile(new URL('../../schema.json', import.meta.url), 'utf8')) as ExtractedSchema
  const documents = files.length ? (await Promise.all(files.map(readNdjson))).flat() : await readDataset()
  const checked = documents.filter((doc) => !doc._type.startsWith('sanity.') && !doc._type.startsWith('system.'))
  // Asset and system documents are not checked, but references to them (an article's image) must resolve.
  const problems = validateDocuments(schema, checked, new Map(documents.map((doc) => [doc._id, doc._type])))
  for (const problem of problems) console.log(formatProblem(problem))
  console.error(`${checked.length} documents checked, ${problems.length} problem${problems.length === 1 ? '' : 's'}.`)
  return problems.length ? 1 : 0
}

async function readNdjson(file: string): Promise<ValidatableDocument[]> {
  const name = file === '-' ? 'stdin' : file
  const text =
    file === '-'
      ? await readStdin()
      : await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new CliError(`Cannot read ${file}: ${error.code ?? error.message}. Pass NDJSON files, one document per line.`, 2)
        })
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line, index) => {
      try {
        return JSON.parse(line) as ValidatableDocument
      } catch {
        throw new CliError(`${name}:${index + 1} is not a JSON document. Each line must hold one document.`, 2)
      }
    })
}

async function readDataset(): Promise<ValidatableDocument[]> {
  const {connect, assertNotEmpty} = await import('../client')
  const lake = await connect({readOnly: true})
  try {
    const documents = await lake.client.fetch<ValidatableDocument[]>('*', {}, {perspective: 'raw'})
    if (documents.length === 0) await assertNotEmpty(lake)
    return documents
  } finally {
    await lake.close()
  }
}

if (isMain(import.meta.url)) {
  // Anything that stops the check exits 2 here: 1 means "problems found".
  runCommand(command, (argv) =>
    main(argv).catch((error: unknown) => {
      if (error instanceof UsageError) throw error
      throw new CliError(error instanceof Error ? error.message : String(error), 2)
    }),
  )
}
