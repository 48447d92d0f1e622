// schema.org descriptions for machines: NewsArticle with its Quotations, Person, Organization, Quotation.
import type {RenderableArticle} from '../content/render'
import {absolute, paths, type PageContext} from './layout'

type Ld = Record<string, unknown>
type Entity = {_id?: string; _type?: string; name?: string | null; nameLatin?: string | null; slug?: string | null; jobTitle?: string | null}

const CONTEXT = 'https://schema.org'

/** A Person or Organization node, with its page as @id and url. */
export function entityLd(ctx: PageContext, entity: Entity): Ld {
  const isPerson = entity._type !== 'organization'
  const url = entity.slug ? absolute(ctx, isPerson ? paths.person(entity.slug) : paths.organization(entity.slug)) : undefined
  return compact({
    '@type': isPerson ? 'Person' : 'Organization',
    '@id': url,
    name: entity.name,
    alternateName: entity.nameLatin,
    jobTitle: isPerson ? entity.jobTitle : undefined,
    url,
  })
}

export function quotationLd(
  ctx: PageContext,
  quote: {_id: string; text?: string | null; language?: string | null; saidAt?: string | null; speaker?: Entity | null},
  article?: {headline?: string | null; slug?: string | null} | null,
): Ld {
  const speaker = quote.speaker ? entityLd(ctx, quote.speaker) : undefined
  return compact({
    '@type': 'Quotation',
    '@id': absolute(ctx, paths.quote(quote._id)),
    url: absolute(ctx, paths.quote(quote._id)),
    text: quote.text,
    inLanguage: quote.language,
    dateCreated: quote.saidAt,
    creator: speaker,
    spokenByCharacter: speaker,
    isPartOf: article?.slug ? {'@type': 'NewsArticle', headline: article.headline, url: absolute(ctx, paths.article(article.slug))} : undefined,
  })
}

export function newsArticleLd(ctx: PageContext, article: RenderableArticle): Ld {
  const url = absolute(ctx, paths.article(article.slug))
  const mentions = [...(article.people ?? []).map((p) => ({...p, _type: 'person'})), ...(article.organizations ?? []).map((o) => ({...o, _type: 'organization'}))]
  return compact({
    '@context': CONTEXT,
    '@type': 'NewsArticle',
    '@id': url,
    url,
    mainEntityOfPage: url,
    headline: article.headline,
    description: article.lead,
    inLanguage: article.language,
    datePublished: article.publishedAt,
    dateModified: article._updatedAt,
    author: article.byline ? {'@type': 'Person', name: article.byline} : undefined,
    contributor: (article.credits ?? []).filter((c) => c?.name).map((c) => entityLd(ctx, c)),
    sourceOrganization: article.sourceAgency ? entityLd(ctx, {...article.sourceAgency, _type: 'organization'}) : undefined,
    about: article.subjects?.length ? article.subjects : undefined,
    mentions: mentions.length ? mentions.map((m) => entityLd(ctx, m)) : undefined,
    hasPart: article.quotes.map((q) => quotationLd(ctx, {...q, language: article.language}, null)),
  })
}

/** Drops undefined, null, '' and empty arrays, so the JSON-LD says only what is known. */
function compact(value: Ld): Ld {
  const out: Ld = {}
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) continue
    out[key] = v
  }
  return out
}
