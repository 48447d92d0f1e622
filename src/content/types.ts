// Newsroom document shapes (what the importer produces, what the renderer and bench read): plain data,
// checked against the generated schema types below.
import type {Article, Organization, Person, Quote} from '../../sanity.types'

export interface Reference {
  _type: 'reference'
  _ref: string
}

export interface KeyedReference extends Reference {
  _key: string
}

export interface Slug {
  _type: 'slug'
  current: string
}

export type OrganizationKind =
  | 'government'
  | 'ministry'
  | 'armedGroup'
  | 'intergovernmental'
  | 'coalition'
  | 'newsAgency'
  | 'other'

export interface OrganizationDoc {
  _id: string
  _type: 'organization'
  name: string
  nameLatin?: string
  shortNames?: string[]
  aliases?: string[]
  kind?: OrganizationKind
  slug: Slug
  sameAs?: string[]
}

export interface PersonDoc {
  _id: string
  _type: 'person'
  name: string
  nameLatin?: string
  slug: Slug
  jobTitle?: string
  affiliation?: Reference
  aliases?: string[]
  sameAs?: string[]
}

export type QuoteKind = 'direct' | 'indirect'

export interface QuoteDoc {
  _id: string
  _type: 'quote'
  text: string
  speaker: Reference
  kind: QuoteKind
  article?: Reference
  blockKey?: string
  language: 'ar'
  about?: KeyedReference[]
  subjects?: string[]
  saidAt?: string
  /** How the importer found the quote: its cue, a confidence 0–1, and how the speaker was found. */
  extraction?: {cue: string; confidence: number; basis: string}
  /** Set when an editor should check the attribution. */
  review?: {needed: boolean; reason?: string}
}

export interface Span {
  _type: 'span'
  _key: string
  text: string
  marks: string[]
}

export interface LinkMarkDef {
  _key: string
  _type: 'link'
  href: string
}

export interface QuoteMarkDef {
  _key: string
  _type: 'quote'
  quote: Reference
}

export interface MentionMarkDef {
  _key: string
  _type: 'mention'
  target: Reference
}

export type MarkDef = LinkMarkDef | QuoteMarkDef | MentionMarkDef

export type BlockStyle = 'normal' | 'h2' | 'h3' | 'blockquote'

export interface Block {
  _type: 'block'
  _key: string
  style: BlockStyle
  markDefs: MarkDef[]
  children: Span[]
}

export interface ArticleDoc {
  _id: string
  _type: 'article'
  headline: string
  lead?: string
  slug: Slug
  language: 'ar'
  body: Block[]
  sourceAgency?: Reference
  byline?: string
  credits?: KeyedReference[]
  publishedAt?: string
  subjects?: string[]
  people?: KeyedReference[]
  organizations?: KeyedReference[]
  sourceText: string
}

export type EntityDoc = PersonDoc | OrganizationDoc
export type NewsroomDoc = OrganizationDoc | PersonDoc | QuoteDoc | ArticleDoc

// The importer's shapes are stricter than the generated ones (fields it always sets are required),
// but they must stay within the schema: tsc fails here if a schema change leaves them behind.
type Stored<T> = Omit<T, '_createdAt' | '_updatedAt' | '_rev'>
type Within<Narrow, Wide> = Narrow extends Wide ? true : never
export type SchemaConformance = [
  Within<ArticleDoc, Stored<Article>>,
  Within<PersonDoc, Stored<Person>>,
  Within<QuoteDoc, Stored<Quote>>,
  Within<OrganizationDoc, Stored<Organization>>,
]
export const schemaConformance: SchemaConformance = [true, true, true, true]
