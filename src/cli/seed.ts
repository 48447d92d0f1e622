// npm run seed: runs the seed-article migration against the local lake (or the hosted project when
// SANITY_* is set), in one transaction, then reads the article back through the article query.
// Lines meant to be copied (slug, ids, the render command) carry no invisible characters; Arabic
// shown for reading is isolated so a bidi terminal lays it out right to left.
import type {SanityClient} from '@sanity/client'
import migration from '../../migrations/seed-article'
import {importSeedArticle, SEED_FILE} from '../../seed/article'
import type {ArticleBySlugQueryResult} from '../../sanity.types'
import {connect} from '../client'
import {reconcile, type DocumentLike} from '../content/reconcile'
import {directionOfLanguage} from '../content/rules'
import {isolate} from '../content/terminal'
import {collectTransactions} from '../migrate/commit'
import {articleBySlugQuery} from '../queries'
import {isMain, parseOptions, runCommand, type Command} from './args'

export const command: Command = {
  name: 'seed',
  usage: `usage: npm run seed

Writes the seed article (seed/${SEED_FILE}) with its quotes, speaker and organizations into the
local lake, or into the hosted project when SANITY_PROJECT_ID and SANITY_API_TOKEN are set, then
prints the article as the article query returns it. Idempotent: documents already there are
left as they are (an editor's changes are kept and listed).

The local lake is the one answering on LAKE_PORT (default 7700), else the one in LAKE_DIR
(default .lake; made if missing), started for the run only.

options:
  -h, --help   show this help

examples:
  npm run seed
  LAKE_DIR=/tmp/newsroom npm run seed`,
}

async function main(argv: string[]): Promise<number> {
  parseOptions({args: argv, options: {}})
  const {article, documents} = importSeedArticle()
  const connection = await connect()
  const {client} = connection
  try {
    const {projectId, dataset, apiHost} = client.config()
    console.log(`Seeding ${connection.target === 'lake' ? 'the local lake' : 'hosted project'} ${projectId}/${dataset} (${apiHost}) from seed/${SEED_FILE}`)

    const ids = documents.flatMap((doc) => [doc._id, `drafts.${doc._id}`])
    const before = reconcile(documents, await client.fetch<DocumentLike[]>('*[_id in $ids]', {ids}, {perspective: 'raw'}))

    const transactions = await collectTransactions(migration, client)
    for (const mutations of transactions) await client.mutate(mutations, {visibility: 'sync'})

    printSummary(before, transactions.flat().length)
    await printArticle(client, article.slug.current)
    return 0
  } finally {
    await connection.close()
  }
}

function printSummary(plan: ReturnType<typeof reconcile>, written: number): void {
  const byType = (docs: readonly DocumentLike[]) => {
    const counts = new Map<string, number>()
    for (const doc of docs) counts.set(doc._type, (counts.get(doc._type) ?? 0) + 1)
    return [...counts].map(([type, n]) => `${n} ${type}`).join(', ')
  }
  console.log(`created:       ${plan.missing.length}${plan.missing.length ? ` (${byType(plan.missing)})` : ''}`)
  if (written !== plan.missing.length) {
    console.log(`note: the migration wrote ${written} mutations; another writer may have seeded at the same time`)
  }
  console.log(`already there: ${plan.unchanged.length + plan.changed.length}`)
  console.log(`differs:       ${plan.changed.length}${plan.changed.length ? ' (kept as edited; the seed did not overwrite them)' : ''}`)
  for (const {document, fields} of plan.changed) console.log(`  ${document._id}: ${fields.join(', ')}`)
  for (const id of plan.drafts) console.log(`  ${id}: has an unpublished draft (drafts.${id})`)
}

async function printArticle(client: SanityClient, slug: string): Promise<void> {
  // The published perspective is what a frontend sees; on a hosted project a token may see drafts too.
  const result = await client.fetch<ArticleBySlugQueryResult>(articleBySlugQuery, {slug}, {perspective: 'published'})
  if (!result) throw new Error(`the seeded article (slug ${slug}) did not come back from the article query`)
  const dir = directionOfLanguage(result.language ?? 'ar')
  console.log('')
  console.log(`Article ${result._id} (lang=${result.language}, dir=${dir})`)
  console.log(`  headline: ${isolate(result.headline, dir)}`)
  if (result.lead) console.log(`  lead:     ${isolate(result.lead, dir)}`)
  // Copyable: as stored, no isolates (a pasted isolate would be part of the slug).
  console.log(`  slug:     ${result.slug ?? ''}`)
  console.log(`Quotes (${result.quotes.length}):`)
  result.quotes.forEach((quote, index) => {
    const speaker = quote.speaker ? `${isolate(quote.speaker.name ?? '', dir)} (${quote.speaker.nameLatin ?? quote.speaker._id})` : 'no speaker'
    console.log(`  ${index + 1}. [${quote.kind}] ${speaker}: ${isolate(quote.text, dir)}`)
  })
  console.log('')
  console.log(`Render it: npm run render -- '${result.slug}' --out article.html`)
}

if (isMain(import.meta.url)) runCommand(command, main)
