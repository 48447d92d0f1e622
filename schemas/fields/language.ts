import {defineField} from 'sanity'
import {checkLanguage, messages} from '../../src/content/rules'
import {LanguageInput} from '../../src/studio/LanguageInput'

/** BCP 47 language of the document's text; it also sets the editing direction in the Studio. */
export const languageField = defineField({
  name: 'language',
  title: 'Language',
  type: 'string',
  description: 'The language of the text. It sets the text direction of the fields below.',
  initialValue: 'ar',
  components: {input: LanguageInput},
  validation: (rule) => [
    rule.required().error(messages.required('Language')),
    rule.custom((value: string | undefined) => (value ? checkLanguage(value) : true)),
  ],
})
