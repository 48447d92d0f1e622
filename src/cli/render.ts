// npm run render -- <slug-or-id> [--out file.html]: the article as a full HTML document, read
// through the same query a frontend uses (published perspective).
import {writeFile} from 'node:fs/promises'
import type {ArticleBySlugQueryResult} from '../../sanity.types'
import {assertNotEmpty, connect} from '../client'
import {imageSourceOf, renderArticle} from '../content/render'
import {articleBySlugQuery} from '../queries'
import {CliError, isMain, parseOptions, runCommand, UsageError, writableFile, type Command} from './args'

export const command: Command = {
  name: 'render',
  usage: `usage: npm run -s render -- <slug-or-id> [--out <file.html>|-]

Renders a published article as a whole HTML document (lang and dir set), found by its slug or its
document id, from the local lake (as npm run query reads it) or the hosted project.

options:
  --out <file>   write the HTML there instead of stdout (- = stdout). Its directory must exist; a
                 file git tracks is never overwritten. out/ and article.html are git-ignored.
  -h, --help     show this help

examples:
  npm run -s render -- my-article-slug > article.html
  npm run -s render -- article-7c4fc380b91d5dac --out out/article.html
  npm run -s query -- '*[_type == "article"]{_id, "slug": slug.current}'   # what there is to render`,
}

export function parseRenderArgs(argv: readonly string[]): {key: string; out?: string} {
  const {values, positionals} = parseOptions({args: [...argv], options: {out: {type: 'string'}}, allowPositionals: true})
  if (positionals.length === 0) throw new UsageError('no slug or id given')
  if (positionals.length > 1) throw new UsageError(`more than one slug or id given (${JSON.stringify(positionals[1])})`)
  if (values.out === '') throw new UsageError('--out needs a file name (or - for stdout)')
  return {key: positionals[0]!, ...(values.out !== undefined && values.out !== '-' ? {out: writableFile(values.out, '--out')} : {})}
}

// Invisible characters a copied terminal line can carry: bidi isolates and marks, zero-width ones.
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g

/** The key quoted, its invisible characters written as \uXXXX so the message shows them. */
const visible = (key: string): string =>
  JSON.stringify(key).replace(INVISIBLE, (ch) => `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`)

function notFound(key: string): string {
  const invisible = [...new Set(key.match(INVISIBLE) ?? [])]
  const hint = invisible.length
    ? ` It contains invisible characters (${invisible.map((ch) => `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(', ')}), ` +
      `perhaps copied from a terminal: without them it reads ${JSON.stringify(key.replace(INVISIBLE, ''))}.`
    : ''
  return (
    `no published article has the slug or the id ${visible(key)} (tried slug.current and _id).${hint} ` +
    `List them with: npm run -s query -- '*[_type == "article"]{_id, "slug": slug.current}'`
  )
}

async function main(argv: string[]): Promise<number> {
  const {key, out} = parseRenderArgs(argv)
  const connection = await connect({readOnly: true})
  try {
    const {client} = connection
    // One lookup for both: a slug and an id are both plain strings.
    const slug = await client.fetch<string | null>('*[_type == "article" && (slug.current == $key || _id == $key)][0].slug.current', {key}, {perspective: 'published'})
    const article = slug ? await client.fetch<ArticleBySlugQueryResult>(articleBySlugQuery, {slug}, {perspective: 'published'}) : null
    if (!article) {
      await assertNotEmpty(connection)
      throw new CliError(notFound(key))
    }
    const images = imageSourceOf(client.config())
    const html = renderArticle(article, {document: true, ...(images ? {images} : {})})
    if (out) {
      await writeFile(out, html, 'utf8')
      process.stderr.write(`render: wrote ${out} (${Buffer.byteLength(html)} bytes)\n`)
    } else {
      process.stdout.write(html)
    }
    return 0
  } finally {
    await connection.close()
  }
}

if (isMain(import.meta.url)) runCommand(command, main)
