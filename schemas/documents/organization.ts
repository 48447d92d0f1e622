import {CaseIcon} from '@sanity/icons'
import {defineField, defineType} from 'sanity'
import {messages} from '../../src/content/rules'
import {DirectionalPreview} from '../../src/studio/DirectionalPreview'
import {LatinScriptInput} from '../../src/studio/LatinScriptInput'
import {aliasesField} from '../fields/aliases'
import {sameAsField} from '../fields/sameAs'
import {slugField} from '../fields/slug'

const ORGANIZATION_KINDS = [
  {title: 'Government', value: 'government'},
  {title: 'Ministry or department', value: 'ministry'},
  {title: 'Armed group', value: 'armedGroup'},
  {title: 'Intergovernmental body', value: 'intergovernmental'},
  {title: 'Coalition', value: 'coalition'},
  {title: 'News agency', value: 'newsAgency'},
  {title: 'Other', value: 'other'},
]

export const organization = defineType({
  name: 'organization',
  title: 'Organization',
  type: 'document',
  icon: CaseIcon,
  fields: [
    defineField({
      name: 'name',
      title: 'Name',
      type: 'string',
      description: 'The full name as the newsroom writes it, e.g. قوات سوريا الديمقراطية.',
      validation: (rule) => rule.required().error(messages.required('Name')),
    }),
    defineField({
      name: 'nameLatin',
      title: 'Name in Latin script',
      type: 'string',
      description: 'e.g. Syrian Democratic Forces. Used for the slug and for English-language search.',
      components: {input: LatinScriptInput},
    }),
    slugField('nameLatin'),
    defineField({
      name: 'shortNames',
      title: 'Short forms',
      description: 'Abbreviations and acronyms, e.g. قسد.',
      type: 'array',
      of: [{type: 'string'}],
      options: {layout: 'tags'},
    }),
    aliasesField('Other forms the name takes in text, e.g. الخارجية الأمريكية.'),
    defineField({
      name: 'kind',
      title: 'Kind',
      type: 'string',
      options: {list: ORGANIZATION_KINDS, layout: 'radio'},
    }),
    sameAsField,
  ],
  components: {preview: DirectionalPreview},
  preview: {
    select: {title: 'name', nameLatin: 'nameLatin', shortNames: 'shortNames'},
    prepare({title, nameLatin, shortNames}) {
      const short = Array.isArray(shortNames) && shortNames.length ? ` (${shortNames.join('، ')})` : ''
      return {title: `${title ?? 'Untitled organization'}${short}`, subtitle: nameLatin}
    },
  },
})
