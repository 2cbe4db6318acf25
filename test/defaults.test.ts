import { expect } from 'chai'
import { readFileSync } from 'node:fs'
import { DEFAULTS } from '../lib/defaults.js'

/** Each `@default` in a file's TSDoc, by the name of the field it documents. */
function documentedDefaults(path: string): Map<string, string> {
  const text = readFileSync(new URL(path, import.meta.url), 'utf8')
  const found = new Map<string, string>()
  for (const [, value, field] of text.matchAll(/@default ([^\n]+?)\s*(?:\*\/)?\n(?:\s*\*[^\n]*\n)*?\s*(?:\*\/\s*\n\s*)?(\w+)\??:/g)) {
    found.set(field as string, (value as string).trim())
  }
  return found
}

const perWindow = ({ limit, windowMs }: { limit: number; windowMs: number }) =>
  `${limit} per ${windowMs === 60_000 ? 'minute' : `${windowMs / 60_000} minutes`}`

describe('defaults', () => {
  it('are documented in the option types as DEFAULTS has them', () => {
    const documented = documentedDefaults('../types/options.ts')
    expect(Object.fromEntries(documented)).to.deep.include({
      applicationType: `'${DEFAULTS.applicationType}'`,
      typeName: `'${DEFAULTS.captureTypeName}'`,
      perClient: perWindow(DEFAULTS.rateLimit.perClient),
      perSubject: perWindow(DEFAULTS.rateLimit.perSubject),
      perIp: perWindow(DEFAULTS.rateLimit.perIp),
      failedAuth: perWindow(DEFAULTS.rateLimit.failedAuth),
      keyPrefix: `'${DEFAULTS.keyPrefix}'`,
      session: `{ userKey: '${DEFAULTS.sessionUserKey}' }`,
      idempotencyTtl: String(DEFAULTS.idempotencyTtl),
      captureClockSkew: String(DEFAULTS.captureClockSkew),
      singleActiveCode: String(DEFAULTS.singleActiveCode),
    })
  })
})
