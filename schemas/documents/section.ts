import {TagIcon} from '@sanity/icons'
import {defineField, defineType} from 'sanity'
import {messages} from '../../src/content/rules'
import {DirectionalPreview} from '../../src/studio/DirectionalPreview'
import {slugField} from '../fields/slug'

/** A section of the site (سياسة، اقتصاد، …): articles belong to one. */
export const section = defineType({
  name: 'section',
  title: 'Section',
  type: 'document',
  icon: TagIcon,
  fields: [
    defineField({
      name: 'name',
      title: 'Name',
      type: 'string',
      description: 'As readers see it, e.g. سياسة.',
      validation: (rule) => rule.required().error(messages.required('Name')),
    }),
    slugField('name'),
    defineField({
      name: 'description',
      title: 'Description',
      type: 'text',
      rows: 2,
      description: 'One sentence on what the section covers.',
    }),
  ],
  components: {preview: DirectionalPreview},
  preview: {
    select: {title: 'name', subtitle: 'description'},
    prepare: ({title, subtitle}) => ({title: title ?? 'Unnamed section', subtitle}),
  },
})
