// Every GROQ query a frontend needs. Values always travel as parameters ($slug, $id …), never spliced into the text.
import {defineQuery} from 'groq'

const speakerProjection = /* groq */ `{_id, _type, name, nameLatin, "slug": slug.current, jobTitle}`

// Body blocks with their annotations' targets, as the renderer (src/content/render.ts) needs them.
const blockProjection = /* groq */ `{
      ...,
      markDefs[]{
        ...,
        _type == "quote" => {"quote": quote->{_id, text, kind, "speaker": speaker->${speakerProjection}}},
        _type == "mention" => {"target": target->{_id, _type, name, nameLatin, "slug": slug.current}}
      }
    }`

export const articleBySlugQuery = defineQuery(`
  *[_type == "article" && slug.current == $slug][0]{
    _id,
    _createdAt,
    _updatedAt,
    headline,
    lead,
    "slug": slug.current,
    language,
    publishedAt,
    byline,
    subjects,
    sourceText,
    mainImage{alt, caption, credit, crop, hotspot, "asset": asset->{_id, url, metadata{lqip, dimensions}}},
    "sourceAgency": sourceAgency->{_id, name, nameLatin, "slug": slug.current},
    "credits": credits[]->{_id, _type, name, nameLatin, "slug": slug.current},
    body[]${blockProjection},
    "people": people[]->{_id, name, nameLatin, "slug": slug.current, jobTitle},
    "organizations": organizations[]->{_id, name, nameLatin, shortNames, "slug": slug.current},
    "quotes": *[_type == "quote" && article._ref == ^._id] | order(_id asc){
      _id, text, kind, blockKey,
      "speaker": speaker->${speakerProjection}
    }
  }
`)

export const latestArticlesQuery = defineQuery(`
  *[_type == "article" && defined(slug.current)] | order(coalesce(publishedAt, _createdAt) desc) [0...$limit]{
    _id,
    _createdAt,
    headline,
    lead,
    "slug": slug.current,
    language,
    publishedAt,
    "sourceAgency": sourceAgency->name
  }
`)

export const personBySlugQuery = defineQuery(`
  *[_type == "person" && slug.current == $slug][0]{
    _id,
    name,
    nameLatin,
    "slug": slug.current,
    jobTitle,
    aliases,
    sameAs,
    "affiliation": affiliation->{_id, name, nameLatin, "slug": slug.current},
    "quotes": *[_type == "quote" && speaker._ref == ^._id] | order(_id asc){
      _id, text, kind,
      "article": article->{_id, headline, "slug": slug.current}
    }
  }
`)

export const quoteByIdQuery = defineQuery(`
  *[_type == "quote" && _id == $id][0]{
    _id,
    text,
    kind,
    language,
    saidAt,
    blockKey,
    subjects,
    "speaker": speaker->${speakerProjection},
    "article": article->{_id, headline, "slug": slug.current},
    "about": about[]->{_id, _type, name}
  }
`)

export const quotesBySpeakerQuery = defineQuery(`
  *[_type == "quote" && speaker._ref == $speakerId] | order(_id asc){
    _id,
    text,
    kind,
    "speaker": speaker->${speakerProjection},
    "article": article->{_id, headline, "slug": slug.current}
  }
`)

// `match` tokenizes on word boundaries; a trailing * in $q makes it a prefix search.
export const searchQuery = defineQuery(`
  *[_type in ["article", "quote"] && [headline, lead, text] match $q] | order(_type asc, _id asc) [0...$limit]{
    _id,
    _type,
    _type == "article" => {headline, lead, "slug": slug.current},
    _type == "quote" => {
      text,
      kind,
      "speaker": speaker->{_id, name},
      "article": article->{headline, "slug": slug.current}
    }
  }
`)

// ---- The reader's site (src/site/) ----

/** One page of the home page's list, newest first, and how many articles there are in all. */
export const articlesPageQuery = defineQuery(`{
  "total": count(*[_type == "article" && defined(slug.current)]),
  "articles": *[_type == "article" && defined(slug.current)] | order(coalesce(publishedAt, _createdAt) desc, _id asc) [$start...$end]{
    _id,
    _createdAt,
    _updatedAt,
    headline,
    lead,
    byline,
    "slug": slug.current,
    language,
    publishedAt,
    "sourceAgency": sourceAgency->{_id, name, "slug": slug.current}
  }
}`)

/** A person with every quote of theirs across all articles, newest first. */
export const personPageQuery = defineQuery(`
  *[_type == "person" && slug.current == $slug][0]{
    _id,
    _type,
    _updatedAt,
    name,
    nameLatin,
    "slug": slug.current,
    jobTitle,
    sameAs,
    portrait{alt, crop, hotspot, "asset": asset->{_id, url, metadata{lqip, dimensions}}},
    "affiliation": affiliation->{_id, name, nameLatin, "slug": slug.current},
    "quotes": *[_type == "quote" && speaker._ref == ^._id]{
      _id, _createdAt, text, kind, language, saidAt, blockKey,
      "article": article->{_id, headline, language, publishedAt, "slug": slug.current}
    } | order(coalesce(saidAt, article.publishedAt, _createdAt) desc, _id asc) [0...$limit]
  }
`)

/** An organization with its statements and the articles that mention (or credit) it, newest first. */
export const organizationPageQuery = defineQuery(`
  *[_type == "organization" && slug.current == $slug][0]{
    _id,
    _type,
    _updatedAt,
    name,
    nameLatin,
    "slug": slug.current,
    shortNames,
    kind,
    sameAs,
    "statements": *[_type == "quote" && speaker._ref == ^._id]{
      _id, _createdAt, text, kind, language, saidAt, blockKey,
      "article": article->{_id, headline, language, publishedAt, "slug": slug.current}
    } | order(coalesce(saidAt, article.publishedAt, _createdAt) desc, _id asc) [0...$limit],
    "articles": *[_type == "article" && defined(slug.current) && references(^._id)]
      | order(coalesce(publishedAt, _createdAt) desc, _id asc) [0...$limit]{
        _id, headline, lead, language, publishedAt, "slug": slug.current
      }
  }
`)

/** One quote with its speaker and the paragraph it comes from. */
export const quotePageQuery = defineQuery(`
  *[_type == "quote" && _id == $id][0]{
    _id,
    _type,
    _createdAt,
    _updatedAt,
    text,
    kind,
    language,
    saidAt,
    blockKey,
    "speaker": speaker->${speakerProjection},
    "article": article->{_id, headline, language, publishedAt, "slug": slug.current, "sourceAgency": sourceAgency->name},
    "paragraph": article->body[_key == ^.blockKey][0]${blockProjection}
  }
`)

/** The searchable text of every article and quote (raw perspective: drafts too), for the site's folded index. */
export const searchCorpusQuery = defineQuery(`
  *[_type in $types]{_id, _type, headline, lead, "body": pt::text(body), text}
`)

/** The same for a few documents, when the listener says they changed. */
export const searchCorpusByIdQuery = defineQuery(`
  *[_type in $types && _id in $ids]{_id, _type, headline, lead, "body": pt::text(body), text}
`)

/** What a search result shows, for the ids the folded index found. */
export const searchResultsQuery = defineQuery(`
  *[_type in ["article", "quote"] && _id in $ids]{
    _id,
    _type,
    language,
    _type == "article" => {headline, lead, publishedAt, "slug": slug.current},
    _type == "quote" => {
      text,
      kind,
      "speaker": speaker->{_id, _type, name, "slug": slug.current},
      "article": article->{headline, "slug": slug.current}
    }
  }
`)

/** Every page address, for /sitemap.xml. */
export const sitemapQuery = defineQuery(`{
  "articles": *[_type == "article" && defined(slug.current)] | order(coalesce(publishedAt, _createdAt) desc) [0...$limit]{"slug": slug.current, _updatedAt},
  "people": *[_type == "person" && defined(slug.current)] | order(_id asc) [0...$limit]{"slug": slug.current, _updatedAt},
  "organizations": *[_type == "organization" && defined(slug.current)] | order(_id asc) [0...$limit]{"slug": slug.current, _updatedAt}
}`)
