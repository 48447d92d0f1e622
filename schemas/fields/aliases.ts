import {defineArrayMember, defineField} from 'sanity'

/** The forms a name takes in running text; the importer uses them to attribute statements. */
export function aliasesField(description: string) {
  return defineField({
    name: 'aliases',
    title: 'Aliases',
    description,
    type: 'array',
    of: [defineArrayMember({type: 'string'})],
    options: {layout: 'tags'},
  })
}
