import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import {ensurePrivateFile} from './private'

export const TOKEN_FILE = 'token'

export type Access = 'anonymous' | 'token' | 'invalid'

/**
 * The write/draft token: `explicit` (option or LAKE_TOKEN) wins; otherwise the one in
 * `$dir/token`, generated (crypto random, mode 0600) on first start.
 */
export function loadOrCreateToken(dir: string, explicit?: string): {token: string; file?: string} {
  if (explicit !== undefined && explicit !== '') return {token: explicit}
  const file = path.join(dir, TOKEN_FILE)
  ensurePrivateFile(file, 'token file')
  try {
    const existing = fs.readFileSync(file, 'utf8').trim()
    if (existing !== '') return {token: existing, file}
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  const token = `sk-lake-${randomBytes(32).toString('base64url')}`
  fs.writeFileSync(file, token + '\n', {mode: 0o600})
  fs.chmodSync(file, 0o600) // writeFileSync's mode is masked by umask and ignored for existing files
  return {token, file}
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest()
}

/** Compares in constant time; hashing first makes the lengths equal. */
export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected))
}

export function accessOf(authorization: string | string[] | undefined, expected: string): Access {
  const header = Array.isArray(authorization) ? authorization[0] : authorization
  if (header === undefined || header === '') return 'anonymous'
  const match = /^Bearer\s+(.+)$/i.exec(header.trim())
  if (!match) return 'invalid'
  return tokenMatches(match[1].trim(), expected) ? 'token' : 'invalid'
}
