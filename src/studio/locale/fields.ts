// Arabic titles for this package's schema (fields, types, structure lists), keyed by their English title.
// Keyed by title rather than path so one entry serves every type that shares a field ("Name", "Slug").

export const arabicTitles: Record<string, string> = {
  // Types and structure
  Newsroom: 'غرفة الأخبار',
  Article: 'مقال',
  Articles: 'المقالات',
  Person: 'شخص',
  People: 'الأشخاص',
  Organization: 'منظمة',
  Organizations: 'المنظمات',
  Quote: 'تصريح',
  Quotes: 'التصريحات',
  'All quotes': 'كل التصريحات',
  'Quotes to check': 'تصريحات تحتاج إلى مراجعة',
  'By speaker': 'حسب القائل',
  Speakers: 'القائلون',
  Section: 'القسم',
  Sections: 'الأقسام',
  'In review': 'قيد المراجعة',
  'Published today': 'نُشر اليوم',
  'Missing image': 'بلا صورة',
  // Groups and fieldsets
  Content: 'المحتوى',
  Metadata: 'البيانات الوصفية',
  Provenance: 'المصدر',
  Workflow: 'سير العمل',
  'Technical details': 'تفاصيل تقنية',
  // Fields
  Language: 'اللغة',
  Headline: 'العنوان',
  Lead: 'المقدمة',
  Slug: 'المعرّف في الرابط',
  'Main image': 'الصورة الرئيسية',
  'Alternative text': 'النص البديل',
  Caption: 'التعليق',
  Credit: 'حقوق الصورة',
  Body: 'المتن',
  'Published at': 'تاريخ النشر',
  Status: 'الحالة',
  'Source agency': 'وكالة المصدر',
  Byline: 'التوقيع',
  Authors: 'الكتّاب',
  Credits: 'المساهمون',
  Subjects: 'المواضيع',
  'People mentioned': 'الأشخاص المذكورون',
  'Organizations mentioned': 'المنظمات المذكورة',
  'Source text': 'نص المصدر',
  Name: 'الاسم',
  'Name in Latin script': 'الاسم بالحروف اللاتينية',
  'Job title': 'المنصب',
  Affiliation: 'الانتماء',
  Aliases: 'أسماء أخرى',
  'Same as': 'الكيان نفسه في مواقع أخرى',
  Portrait: 'صورة شخصية',
  'Short forms': 'الاختصارات',
  Kind: 'النوع',
  Text: 'النص',
  Speaker: 'القائل',
  'Paragraph key': 'مفتاح الفقرة',
  About: 'عن',
  'How it was found': 'كيف استُخرج',
  Cue: 'الإشارة',
  Confidence: 'درجة الثقة',
  'How the speaker was found': 'كيف حُدّد القائل',
  Review: 'المراجعة',
  'Needs review': 'يحتاج إلى مراجعة',
  Why: 'السبب',
  'Said at': 'تاريخ التصريح',
  Description: 'الوصف',
}

export const arabicDescriptions: Record<string, string> = {
  'The standfirst: one or two sentences under the headline.': 'جملة أو جملتان تحت العنوان تلخّصان الخبر.',
  'Part of the page address. Arabic words are kept as they are.': 'جزء من عنوان الصفحة. تبقى الكلمات العربية كما هي.',
  'The language of the text. It sets the text direction of the fields below.': 'لغة النص. تحدد اتجاه الكتابة في الحقول أدناه.',
  'Shown at the top of the article and in lists. Drag the hotspot onto what must never be cropped.':
    'تظهر أعلى المقال وفي القوائم. اسحب نقطة التركيز إلى ما يجب ألّا يُقصّ أبدًا.',
  'Set on first publish when empty; change it if the source gives another date. Do not guess one.':
    'يُملأ عند النشر الأول إن كان فارغًا؛ غيّره إن ذكر المصدر تاريخًا آخر. لا تخمّن تاريخًا.',
  'The newsroom staff who wrote the article.': 'محررو غرفة الأخبار الذين كتبوا المقال.',
  'The agency page text exactly as received. Corrections go in the fields above.':
    'نص صفحة الوكالة كما ورد تمامًا. التصحيحات تُكتب في الحقول أعلاه.',
  'Exactly as in the article, including the source’s own spelling.': 'كما ورد في المقال تمامًا، بإملاء المصدر نفسه.',
  'A person, or an organization for a statement by a body such as a ministry.':
    'شخص، أو منظمة إن كان التصريح صادرًا عن جهة مثل وزارة.',
  'The article the statement was published in.': 'المقال الذي نُشر فيه التصريح.',
  'Leave empty when the source does not say when.': 'اتركه فارغًا إن لم يذكر المصدر متى قيل.',
}

/** The i18n namespace holding `arabicTitles`, for schema parts Sanity translates by key (field groups). */
export const SCHEMA_TITLES_NAMESPACE = 'newsroom-schema'

/** A schema part's `i18n` entry: its English title is the key; English itself stays the fallback. */
export function titleI18n(title: string): {title: {key: string; ns: string}} {
  return {title: {key: title, ns: SCHEMA_TITLES_NAMESPACE}}
}

/** The Arabic form of an English title or description, or the English when none is written yet. */
export function translateSchemaText(text: string, table: Record<string, string>): string {
  return Object.prototype.hasOwnProperty.call(table, text) ? table[text]! : text
}
