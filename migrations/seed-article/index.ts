// Seeds the first agency article: its article, quote, person and organization documents.
// Idempotent: documents that already exist are left alone (an editor may have changed them), so a
// second run yields nothing. Run it with `npm run seed`, or against a hosted project with
// `sanity migration run seed-article --no-dry-run`.
import {createIfNotExists, defineMigration, transaction} from '@sanity/migrate'
import {importSeedArticle} from '../../seed/article'

export default defineMigration({
  title: 'Seed the first agency article (Hawar News Agency, US State Department spokesperson)',
  documentTypes: ['article', 'quote', 'person', 'organization'],
  async *migrate(_documents, context) {
    const {documents} = importSeedArticle()
    const existing = await context.filtered.getDocuments(documents.map((doc) => doc._id))
    const present = new Set(existing.map((doc) => doc._id))
    const missing = documents.filter((doc) => !present.has(doc._id))
    // One transaction: the article and its quotes reference each other, so neither can land alone.
    if (missing.length > 0) yield transaction(missing.map((doc) => createIfNotExists(doc)))
  },
})
