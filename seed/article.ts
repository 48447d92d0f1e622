// The first article: the agency's page text (kept verbatim beside this file) run through the importer
// with the editorial facts of seed/entities.ts.
import {readFileSync} from 'node:fs'
import {importAgencyPage, type ImportResult} from '../src/importer/importer'
import {seedAgencyId, seedEntities} from './entities'

export const SEED_FILE = '000_7c4fc380b91d5dac.txt'
/** The agency's own id for the page, from the file name; it keys the document ids. */
export const SEED_SOURCE_KEY = '7c4fc380b91d5dac'

export function readSeedText(): string {
  return readFileSync(new URL(`./${SEED_FILE}`, import.meta.url), 'utf8')
}

export function importSeedArticle(text: string = readSeedText()): ImportResult {
  return importAgencyPage(text, {entities: seedEntities, sourceKey: SEED_SOURCE_KEY, agency: seedAgencyId})
}
