import {defineField} from 'sanity'

export const ALT_MESSAGE =
  'Alternative text is required: describe what the picture shows in one sentence, for readers who cannot see it.'

/** The alternative text every published picture needs (WCAG 1.1.1). */
export function altField(description: string) {
  return defineField({
    name: 'alt',
    title: 'Alternative text',
    type: 'string',
    description,
    validation: (rule) => rule.required().error(ALT_MESSAGE),
  })
}
