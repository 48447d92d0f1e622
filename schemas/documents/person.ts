import {UserIcon} from '@sanity/icons'
import {defineField, defineType} from 'sanity'
import {messages} from '../../src/content/rules'
import {DirectionalPreview} from '../../src/studio/DirectionalPreview'
import {LatinScriptInput} from '../../src/studio/LatinScriptInput'
import {aliasesField} from '../fields/aliases'
import {sameAsField} from '../fields/sameAs'
import {altField} from '../fields/alt'
import {slugField} from '../fields/slug'

export const person = defineType({
  name: 'person',
  title: 'Person',
  type: 'document',
  icon: UserIcon,
  fields: [
    defineField({
      name: 'name',
      title: 'Name',
      type: 'string',
      description: 'As written in the source, e.g. كريستيان جيمس.',
      validation: (rule) => rule.required().error(messages.required('Name')),
    }),
    defineField({
      name: 'nameLatin',
      title: 'Name in Latin script',
      type: 'string',
      description: 'e.g. Christian James. Used for the slug.',
      components: {input: LatinScriptInput},
    }),
    slugField('nameLatin'),
    defineField({
      name: 'jobTitle',
      title: 'Job title',
      type: 'string',
      description: 'As the newsroom writes it, e.g. المتحدث باسم وزارة الخارجية الأميركية.',
    }),
    defineField({
      name: 'affiliation',
      title: 'Affiliation',
      type: 'reference',
      to: [{type: 'organization'}],
    }),
    defineField({
      name: 'portrait',
      title: 'Portrait',
      type: 'image',
      options: {hotspot: true},
      fields: [
        altField('Usually the person\'s name, e.g. «صورة كريستيان جيمس».'),
      ],
    }),
    aliasesField('Forms used for this person in text, e.g. «المسؤول الأمريكي». Statements by these forms are attributed to this person.'),
    sameAsField,
  ],
  components: {preview: DirectionalPreview},
  preview: {
    select: {title: 'name', nameLatin: 'nameLatin', jobTitle: 'jobTitle', media: 'portrait'},
    prepare({title, nameLatin, jobTitle, media}) {
      return {title: title ?? 'Unnamed person', subtitle: [nameLatin, jobTitle].filter(Boolean).join(' · '), media}
    },
  },
})
