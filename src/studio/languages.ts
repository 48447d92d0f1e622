/** The languages the newsroom publishes in, offered in the Studio's language list; values are BCP 47 codes. */
export const LANGUAGE_CHOICES = [
  {title: 'العربية (Arabic)', value: 'ar'},
  {title: 'العربية السورية (Syrian Arabic)', value: 'ar-SY'},
  {title: 'کوردی (Kurdish, Sorani)', value: 'ckb'},
  {title: 'Kurdî (Kurdish, Kurmanji)', value: 'kmr'},
  {title: 'English', value: 'en'},
  {title: 'Français (French)', value: 'fr'},
  {title: 'Türkçe (Turkish)', value: 'tr'},
] as const
