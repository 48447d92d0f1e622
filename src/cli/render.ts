// npm run render -- <slug> [--out file.html]: the article as a full HTML document, read through
// the same query a frontend uses (published perspective).
import {writeFile} from 'node:fs/promises'
import type {ArticleBySlugQueryResult} from '../../sanity.types'
import {connect} from '../client'
import {imageSourceOf, renderArticle} from '../content/render'
import {articleBySlugQuery} from '../queries'
import {exitQuietlyOnClosedStdout} from './stdout'

const USAGE = 'usage: npm run render -- <slug> [--out file.html]'

export function parseRenderArgs(argv: readonly string[]): {slug: string; out?: string} {
  let slug: string | undefined
  let out: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    if (arg === '--out') {
      out = argv[++i]
      if (!out) throw new Error(`--out needs a file name. ${USAGE}`)
    } else if (arg.startsWith('--out=')) out = arg.slice('--out='.length)
    else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}. ${USAGE}`)
    else if (slug === undefined) slug = arg
    else throw new Error(`more than one slug given. ${USAGE}`)
  }
  if (!slug) throw new Error(`no slug given. ${USAGE}`)
  return {slug, ...(out ? {out} : {})}
}

async function main(): Promise<void> {
  const {slug, out} = parseRenderArgs(process.argv.slice(2))
  const connection = await connect()
  try {
    const article = await connection.client.fetch<ArticleBySlugQueryResult>(articleBySlugQuery, {slug}, {perspective: 'published'})
    if (!article) {
      throw new Error(
        `no published article has the slug ${JSON.stringify(slug)}. List the slugs with: npm run -s query -- '*[_type == "article"].slug.current'`,
      )
    }
    const images = imageSourceOf(connection.client.config())
    const html = renderArticle(article, {document: true, ...(images ? {images} : {})})
    if (out) {
      await writeFile(out, html, 'utf8')
      console.error(`render: wrote ${out} (${Buffer.byteLength(html)} bytes)`)
    } else {
      process.stdout.write(html)
    }
  } finally {
    await connection.close()
  }
}

exitQuietlyOnClosedStdout()
main().catch((error: unknown) => {
  console.error(`render: ${error instanceof Error ? error.message : String(error)}`)
  process.exit(1)
})
