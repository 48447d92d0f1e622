// Every GROQ query a frontend needs. Values always travel as parameters ($slug, $id …), never spliced into the text.
import {defineQuery} from 'groq'

const speakerProjection = /* groq */ `{_id, _type, name, nameLatin, "slug": slug.current, jobTitle}`

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
    "sourceAgency": sourceAgency->{_id, name, nameLatin, "slug": slug.current},
    body[]{
      ...,
      markDefs[]{
        ...,
        _type == "quote" => {"quote": quote->{_id, text, kind, "speaker": speaker->${speakerProjection}}},
        _type == "mention" => {"target": target->{_id, _type, name, nameLatin, "slug": slug.current}}
      }
    },
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
