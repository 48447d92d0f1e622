// npm run validate -- [file.ndjson …]
// Checks documents against the schema's rules: the NDJSON files given (e.g. an export or `npm run import`
// output), or else the whole dataset. One line per problem on stdout: document id, field path, message.
import {readFile} from 'node:fs/promises'
import {formatProblem, validateDocuments, type ExtractedSchema, type ValidatableDocument} from '../content/validate'

async function main(files: string[]): Promise<number> {
  const schema = JSON.parse(await readFile(new URL('../../schema.json', import.meta.url), 'utf8')) as ExtractedSchema
  const documents = files.length ? (await Promise.all(files.map(readNdjson))).flat() : await readDataset()
  const checked = documents.filter((doc) => !doc._type.startsWith('sanity.') && !doc._type.startsWith('system.'))
  const problems = validateDocuments(schema, checked)
  for (const problem of problems) console.log(formatProblem(problem))
  console.error(`${checked.length} documents checked, ${problems.length} problem${problems.length === 1 ? '' : 's'}.`)
  return problems.length ? 1 : 0
}

async function readNdjson(file: string): Promise<ValidatableDocument[]> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`Cannot read ${file}: ${error.code ?? error.message}. Pass NDJSON files, one document per line.`)
  })
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line, index) => {
      try {
        return JSON.parse(line) as ValidatableDocument
      } catch {
        throw new Error(`${file}:${index + 1} is not a JSON document. Each line must hold one document.`)
      }
    })
}

async function readDataset(): Promise<ValidatableDocument[]> {
  const {connect} = await import('../client')
  const lake = await connect()
  try {
    return await lake.client.fetch<ValidatableDocument[]>('*', {}, {perspective: 'raw'})
  } finally {
    await lake.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`validate: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(2)
  },
)
