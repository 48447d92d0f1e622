// Our validator (src/content/validate.ts) next to the real `sanity documents validate`, run offline
// against a local lake through src/cli/sanity.ts, on the same broken documents: both must flag each
// broken field at the same path, and where Sanity has words for it, ours start with the same words.
// The CLI boots the Studio's schema for every run (~45 s on 2 cores), so this lives in test:compat.
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {validateDocuments, type ExtractedSchema, type ValidatableDocument} from '../../src/content/validate'
import {makeTempDir, removeTempDirs, REPO_ROOT, runScript} from '../helpers/lake'

const schema = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schema.json'), 'utf8')) as ExtractedSchema

interface Marker {
  path: Array<string | number | {_key: string}>
  level: 'error' | 'warning' | 'info'
  message: string
}

/** Sanity's path (["body", {_key: "b1"}, "children", 0]) in our notation (body[_key=="b1"].children[0]). */
function pathString(segments: Marker['path']): string {
  return segments
    .map((s, i) => (typeof s === 'number' ? `[${s}]` : typeof s === 'object' ? `[_key=="${s._key}"]` : i === 0 ? s : `.${s}`))
    .join('')
}

const slug = (current: string) => ({_type: 'slug', current})

// Each broken document has one field that is wrong; `brokenAt` is where.
const cases: Array<{doc: ValidatableDocument; brokenAt: string; sanitySays: string}> = [
  {
    doc: {_id: 'person-object-title', _type: 'person', name: 'سارة', slug: slug('sara'), jobTitle: {a: 1}},
    brokenAt: 'jobTitle',
    sanitySays: 'Expected type "String", got "Object"',
  },
  {
    doc: {_id: 'person-string-aliases', _type: 'person', name: 'سارة', slug: slug('sara-2'), aliases: 'الخطيب'},
    brokenAt: 'aliases',
    sanitySays: 'Expected type "Array", got "String"',
  },
  {
    doc: {_id: 'organization-unknown-field', _type: 'organization', name: 'وزارة المياه', slug: slug('water'), twitter: '@water'},
    brokenAt: 'twitter',
    sanitySays: "Field 'twitter' does not exist on type 'organization'",
  },
  {
    doc: {
      _id: 'section-number-description',
      _type: 'section',
      name: 'سياسة',
      slug: slug('politics'),
      description: 12,
    },
    brokenAt: 'description',
    sanitySays: 'Expected type "String", got "Number"',
  },
  {
    doc: {
      _id: 'article-span-number',
      _type: 'article',
      language: 'ar',
      headline: 'عنوان',
      slug: slug('عنوان'),
      body: [{_type: 'block', _key: 'b1', style: 'normal', markDefs: [], children: [{_type: 'span', _key: 's1', text: 7, marks: []}]}],
    },
    brokenAt: 'body[_key=="b1"].children[_key=="s1"].text',
    sanitySays: 'Expected type "String", got "Number"',
  },
]

// Valid for both: nothing to report.
const clean: ValidatableDocument = {_id: 'organization-clean', _type: 'organization', name: 'الأمم المتحدة', slug: slug('united-nations'), kind: 'intergovernmental'}

afterAll(() => removeTempDirs())

describe('npm run sanity -- documents validate, offline, next to our validator', () => {
  it('both flag the same broken field of each document, and nothing in the clean one', async () => {
    const dir = makeTempDir('validate-sanity-')
    const file = path.join(dir, 'documents.ndjson')
    writeFileSync(file, [...cases.map((c) => c.doc), clean].map((d) => JSON.stringify(d)).join('\n') + '\n')
    const run = await runScript(
      'src/cli/sanity.ts',
      ['documents', 'validate', '--file', file, '--format', 'json', '--level', 'warning', '--yes'],
      // Port 0: a lake of its own in `dir`, whatever else runs on this machine; never a hosted project.
      {LAKE_DIR: path.join(dir, 'lake'), LAKE_PORT: '0', SANITY_STUDIO_PROJECT_ID: '', SANITY_PROJECT_ID: '', NO_COLOR: '1'},
      240_000,
    )
    const start = run.stdout.indexOf('[')
    if (start < 0) throw new Error(`no JSON report from the CLI (exit ${run.code})\nstdout: ${run.stdout}\nstderr: ${run.stderr}`)
    const report = JSON.parse(run.stdout.slice(start)) as Array<{documentId: string; markers: Marker[]}>
    expect(run.code).toBe(1)

    const ours = validateDocuments(schema, [...cases.map((c) => c.doc), clean])
    for (const {doc, brokenAt, sanitySays} of cases) {
      const theirs = report.find((r) => r.documentId === doc._id)?.markers.find((m) => pathString(m.path) === brokenAt)
      expect(theirs?.message, `sanity on ${doc._id}`).toBe(sanitySays)
      const mine = ours.find((p) => p.documentId === doc._id && p.path === brokenAt)
      expect(mine?.message.startsWith(sanitySays), `ours on ${doc._id}: ${mine?.message}`).toBe(true)
    }
    expect(report.find((r) => r.documentId === clean._id)?.markers ?? []).toEqual([])
    expect(ours.filter((p) => p.documentId === clean._id)).toEqual([])
  }, 300_000)
})
