import {describe, expect, it} from 'vitest'
import {localLakeApiHost} from '../src/studio/lakeHost'

describe('which API the Studio talks to (sanity.config.ts)', () => {
  it('a hosted project keeps Sanity\'s own API and login', () => {
    expect(localLakeApiHost('abc123', undefined, undefined)).toBeUndefined()
    expect(localLakeApiHost('abc123', '', {protocol: 'https:', hostname: 'abc123.localhost', port: '3333'})).toBeUndefined()
  })

  it('an explicit SANITY_STUDIO_API_HOST wins, for any project', () => {
    expect(localLakeApiHost('abc123', 'https://api.example.com/')).toBe('https://api.example.com')
    expect(localLakeApiHost('local', 'https://localhost:9999', {protocol: 'https:', hostname: 'local.localhost', port: '3333'})).toBe('https://localhost:9999')
  })

  it('project "local" served from https://local.localhost:<port> finds the lake on its own origin', () => {
    expect(localLakeApiHost('local', undefined, {protocol: 'https:', hostname: 'local.localhost', port: '3333'})).toBe('https://localhost:3333')
    expect(localLakeApiHost('local', undefined, {protocol: 'https:', hostname: 'local.localhost', port: ''})).toBe('https://localhost')
  })

  it('project "local" served from elsewhere (plain sanity dev, a build) uses the lake\'s own TLS port', () => {
    expect(localLakeApiHost('local', undefined, {protocol: 'http:', hostname: 'localhost', port: '3333'})).toBe('https://localhost:7743')
    expect(localLakeApiHost('local', undefined, undefined)).toBe('https://localhost:7743')
  })
})
