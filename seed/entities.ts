// The editorial facts the seed text cannot give: who the people and organizations it names are,
// their Latin names, and the forms the text uses for them. Data only.
import {slugify} from '../src/content/slugify'
import type {OrganizationDoc, OrganizationKind, PersonDoc} from '../src/content/types'
import type {KnownEntities} from '../src/importer/types'

function organization(
  id: string,
  fields: {name: string; nameLatin: string; kind: OrganizationKind; shortNames?: string[]; aliases?: string[]; sameAs?: string[]},
): OrganizationDoc {
  return {
    _id: `organization-${id}`,
    _type: 'organization',
    name: fields.name,
    nameLatin: fields.nameLatin,
    ...(fields.shortNames ? {shortNames: fields.shortNames} : {}),
    ...(fields.aliases ? {aliases: fields.aliases} : {}),
    kind: fields.kind,
    slug: {_type: 'slug', current: slugify(fields.nameLatin)},
    ...(fields.sameAs ? {sameAs: fields.sameAs} : {}),
  }
}

export const usStateDepartment = organization('us-state-department', {
  name: 'وزارة الخارجية الأميركية',
  nameLatin: 'U.S. Department of State',
  kind: 'ministry',
  shortNames: ['الخارجية الأميركية'],
  aliases: ['الخارجية الأمريكية', 'وزارة الخارجية الأمريكية'],
  sameAs: ['https://www.state.gov/'],
})

export const isis = organization('isis', {
  name: 'داعش',
  nameLatin: 'Islamic State (ISIS)',
  kind: 'armedGroup',
  aliases: ['تنظيم داعش', 'تنظيم الدولة الإسلامية'],
})

export const syrianDemocraticForces = organization('syrian-democratic-forces', {
  name: 'قوات سوريا الديمقراطية',
  nameLatin: 'Syrian Democratic Forces',
  kind: 'armedGroup',
  shortNames: ['قسد'],
  aliases: ['SDF'],
})

export const unitedNations = organization('united-nations', {
  name: 'الأمم المتحدة',
  nameLatin: 'United Nations',
  kind: 'intergovernmental',
  aliases: ['UN'],
  sameAs: ['https://www.un.org/'],
})

/** Part of the United Nations; the model has no parent-organization field, so the name says it. */
export const unSecurityCouncil = organization('un-security-council', {
  name: 'مجلس الأمن الدولي',
  nameLatin: 'United Nations Security Council',
  kind: 'intergovernmental',
  shortNames: ['مجلس الأمن'],
  sameAs: ['https://www.un.org/securitycouncil/'],
})

export const globalCoalition = organization('global-coalition-to-defeat-isis', {
  name: 'التحالف الدولي لهزيمة داعش',
  nameLatin: 'Global Coalition to Defeat ISIS',
  kind: 'coalition',
  shortNames: ['التحالف الدولي', 'التحالف'],
  sameAs: ['https://theglobalcoalition.org/'],
})

export const damascusGovernment = organization('damascus-government', {
  name: 'حكومة دمشق',
  nameLatin: 'Syrian government (Damascus)',
  kind: 'government',
  shortNames: ['دمشق'],
  aliases: ['الحكومة السورية'],
})

export const turkey = organization('turkey', {
  name: 'الدولة التركية',
  nameLatin: 'Turkey',
  kind: 'government',
  aliases: ['تركيا', 'الحكومة التركية'],
})

export const hawarNewsAgency = organization('hawar-news-agency', {
  name: 'وكالة أنباء هاوار',
  nameLatin: 'Hawar News Agency',
  kind: 'newsAgency',
  shortNames: ['هاوار', 'ANHA'],
  sameAs: ['https://hawarnews.com/'],
})

export const christianJames: PersonDoc = {
  _id: 'person-christian-james',
  _type: 'person',
  name: 'كريستيان جيمس',
  nameLatin: 'Christian James',
  slug: {_type: 'slug', current: slugify('Christian James')},
  jobTitle: 'المتحدث باسم وزارة الخارجية الأميركية',
  affiliation: {_type: 'reference', _ref: usStateDepartment._id},
  aliases: [
    'المتحدث باسم الخارجية الأميركية',
    'المتحدث باسم الخارجية الأمريكية',
    'المسؤول الأمريكي',
    'المسؤول الأميركي',
    'كريستيان جيمس',
    'جيمس',
  ],
}

export const seedEntities: KnownEntities = {
  people: [christianJames],
  organizations: [
    usStateDepartment,
    isis,
    syrianDemocraticForces,
    unitedNations,
    unSecurityCouncil,
    globalCoalition,
    damascusGovernment,
    turkey,
    hawarNewsAgency,
  ],
  // The model has no place type: places become subject strings («سجن الصناعة، الحسكة»).
  places: [{name: 'سجن الصناعة', nameLatin: "al-Sina'a prison", locatedIn: 'الحسكة'}],
  // Forms that only identify someone already named in the same article.
  contextAliases: {
    [christianJames._id]: ['المسؤول الأمريكي', 'المسؤول الأميركي', 'جيمس'],
    [globalCoalition._id]: ['التحالف'],
  },
}

/** The agency of the seed article. */
export const seedAgencyId = hawarNewsAgency._id
