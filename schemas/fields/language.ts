import {defineField} from 'sanity'
import {checkLanguage, messages} from '../../src/content/rules'
import {LatinScriptInput} from '../../src/studio/LatinScriptInput'

/** BCP 47 language of the document's text; it also sets the editing direction in the Studio. */
export const languageField = defineField({
  name: 'language',
  title: 'Language',
  type: 'string',
  description: 'BCP 47 code: "ar" for Arabic, "en" for English, "ar-SY" for Syrian Arabic. Sets the text direction of the fields below.',
  initialValue: 'ar',
  components: {input: LatinScriptInput},
  validation: (rule) => [
    rule.required().error(messages.required('Language')),
    rule.custom((value: string | undefined) => (value ? checkLanguage(value) : true)),
  ],
})
