import { generateKeyPairSync, randomBytes, sign, type JsonWebKey, type KeyObject } from 'node:crypto'

/** The load generator's DPoP key (P-256, ES256), made once per process. */
let key: { privateKey: KeyObject; jwk: JsonWebKey } | undefined

function dpopKey(): { privateKey: KeyObject; jwk: JsonWebKey } {
  if (!key) {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const { kty, crv, x, y } = publicKey.export({ format: 'jwk' })
    key = { privateKey, jwk: { kty, crv, x, y } }
  }
  return key
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/**
 * `count` DPoP proofs for `POST htu`, each with its own `jti` and the current `iat`, signed with
 * the load generator's key (ES256, signed synchronously by node:crypto). They are made before a
 * run starts, so signing costs neither the target nor the measured time; a proof stays fresh for
 * the server's `dpop.skewSeconds` (60 s by default), which no bench run outlasts.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export function dpopProofs(count: number, htu: string): string[] {
  const { privateKey, jwk } = dpopKey()
  const header = base64url({ typ: 'dpop+jwt', alg: 'ES256', jwk })
  const iat = Math.floor(Date.now() / 1000)
  const prefix = randomBytes(12).toString('base64url')
  return Array.from({ length: count }, (_, n) => {
    const input = `${header}.${base64url({ htm: 'POST', htu, iat, jti: `${prefix}-${n}` })}`
    const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' })
    return `${input}.${signature.toString('base64url')}`
  })
}
