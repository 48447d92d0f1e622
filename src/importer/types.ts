// What the importer is told: the people, organizations and places it can recognise. Document shapes
// live with the content model (src/content/types.ts) and are re-exported here for the importer's modules.
import type {OrganizationDoc, PersonDoc} from '../content/types'

export type * from '../content/types'

/** A place the text may name. The model has no place type: places become subject strings. */
export interface KnownPlace {
  name: string
  nameLatin?: string
  aliases?: string[]
  /** Where the place is, as the newsroom writes it (e.g. الحسكة); added to the subject string. */
  locatedIn?: string
}

/** The people, organizations and places the importer can recognise, with the forms used for them. */
export interface KnownEntities {
  people: PersonDoc[]
  organizations: OrganizationDoc[]
  places?: KnownPlace[]
  /**
   * Aliases (by entity _id) that only identify the entity once it has been named in the same
   * article, e.g. «المسؤول الأمريكي» or a bare surname. Each must also be among the entity's names.
   */
  contextAliases?: Record<string, string[]>
}
