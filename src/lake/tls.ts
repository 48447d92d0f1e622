import fs from 'node:fs'
import path from 'node:path'
import {ensurePrivateFile} from './private'

export const TLS_CERT_FILE = 'tls-cert.pem'
export const TLS_KEY_FILE = 'tls-key.pem'

/**
 * A self-signed certificate for HTTP/2 (the Studio needs it: over HTTP/1.1 its open
 * listeners use up Chromium's six connections per host). Generated once, kept in the lake dir.
 */
export async function loadOrCreateCertificate(dir: string): Promise<{cert: string; key: string}> {
  const certFile = path.join(dir, TLS_CERT_FILE)
  const keyFile = path.join(dir, TLS_KEY_FILE)
  ensurePrivateFile(keyFile, 'TLS key')
  if (fs.existsSync(certFile) && fs.existsSync(keyFile)) {
    return {cert: fs.readFileSync(certFile, 'utf8'), key: fs.readFileSync(keyFile, 'utf8')}
  }
  const notAfter = new Date()
  notAfter.setFullYear(notAfter.getFullYear() + 5)
  // Loaded only to make a certificate: the module costs a few hundred ms at every start-up otherwise.
  const {generate} = await import('selfsigned')
  const pems = await generate([{name: 'commonName', value: 'localhost'}], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notAfterDate: notAfter,
    extensions: [
      {name: 'basicConstraints', cA: false},
      {name: 'keyUsage', digitalSignature: true, keyEncipherment: true},
      {name: 'extKeyUsage', serverAuth: true},
      {
        name: 'subjectAltName',
        altNames: [
          {type: 2, value: 'localhost'},
          {type: 2, value: '*.localhost'},
          {type: 7, ip: '127.0.0.1'},
        ],
      },
    ],
  })
  // Key first, cert last: a crash in between leaves no cert, so the pair is regenerated.
  fs.writeFileSync(keyFile, pems.private, {mode: 0o600})
  fs.writeFileSync(certFile, pems.cert, {mode: 0o644})
  return {cert: pems.cert, key: pems.private}
}
