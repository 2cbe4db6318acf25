import { createHash, randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose'
import { ISSUER } from './app.js'

/** The `htu` of a proof for the test router's `/token`. */
export const TOKEN_HTU = `${ISSUER}/token`

/** A client's DPoP key: the private key it signs with, the public JWK its proofs carry, and its RFC 7638 thumbprint. */
export interface DpopKey {
  alg: string
  privateKey: CryptoKey
  publicJwk: JWK
  privateJwk: JWK
  jkt: string
}

/** A new DPoP key pair for `alg` (extractable, so a test can put its private members in a header). */
export async function dpopKey(alg = 'ES256'): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  return { alg, privateKey, publicJwk, privateJwk: await exportJWK(privateKey), jkt: await calculateJwkThumbprint(publicJwk) }
}

/** What a test changes in a proof: header members, claims (`undefined` removes one), and the key that signs it. */
export interface ProofChanges {
  header?: Record<string, unknown>
  claims?: Record<string, unknown>
  /** Signs with this key, while the header still carries the proof key's JWK. */
  signer?: CryptoKey | Uint8Array
  /** The access token the proof goes with: sets `ath` (RFC 9449 §4.2). */
  accessToken?: string
}

/**
 * A DPoP proof of `key` for `POST /token` (RFC 9449 §4.2), made with jose: `typ: dpop+jwt`, the
 * key's `alg` and public `jwk`, `htm`, `htu`, `iat` now and a random `jti`; `changes` alter it.
 */
export async function dpopProof(key: DpopKey, changes: ProofChanges = {}): Promise<string> {
  const claims: JWTPayload = { htm: 'POST', htu: TOKEN_HTU, iat: Math.floor(Date.now() / 1000), jti: randomUUID() }
  if (changes.accessToken !== undefined) claims.ath = createHash('sha256').update(changes.accessToken).digest('base64url')
  for (const [name, value] of Object.entries(changes.claims ?? {})) {
    if (value === undefined) delete claims[name]
    else claims[name] = value
  }
  const header = { alg: key.alg, typ: 'dpop+jwt', jwk: key.publicJwk, ...changes.header }
  return new SignJWT(claims).setProtectedHeader(header).sign(changes.signer ?? key.privateKey)
}

/** An unsigned proof (`alg: none`), which jose will not make: the JWS compact form with an empty signature (RFC 7515 §7.1). */
export function unsignedProof(key: DpopKey): string {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const claims = { htm: 'POST', htu: TOKEN_HTU, iat: Math.floor(Date.now() / 1000), jti: randomUUID() }
  return `${part({ alg: 'none', typ: 'dpop+jwt', jwk: key.publicJwk })}.${part(claims)}.`
}
