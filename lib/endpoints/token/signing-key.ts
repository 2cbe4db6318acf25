import { createHash, createPrivateKey, createPublicKey, KeyObject, type JsonWebKey } from 'node:crypto'
import type { PublicJsonWebKey } from '../../../types/resource.js'
import { AuthcodeOptionsError, OPTIONS_ERROR_CODES } from '../../errors/options-error.js'

/** The key `jwtAccessTokenIssuer()` signs with, read once: the algorithm it takes and its public half. */
export interface SigningKey {
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  readonly alg: string
  readonly kid: string
  /** The public JWK with `kid`, `alg` and `use`, frozen. */
  readonly jwk: PublicJsonWebKey
}

/** The JWS algorithm of each EC curve jose signs with. @see https://www.rfc-editor.org/rfc/rfc7518#section-3.4 */
const EC_ALGORITHMS: Readonly<Record<string, string>> = { prime256v1: 'ES256', secp384r1: 'ES384', secp521r1: 'ES512' }

/** The members RFC 7638 §3.2 hashes, in its lexicographic order, per key type. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
  RSA: ['e', 'kty', 'n'],
}

const invalid = (message: string) => new AuthcodeOptionsError(`jwtAccessTokenIssuer(): ${message}`, OPTIONS_ERROR_CODES.invalid)

/**
 * The RFC 7638 SHA-256 thumbprint of a public JWK. Computed here, not with jose's
 * `calculateJwkThumbprint`, because that one is async and `auth.jwks` is built synchronously;
 * the tests compare the two.
 * @see https://www.rfc-editor.org/rfc/rfc7638#section-3
 */
export function jwkThumbprint(jwk: JsonWebKey): string {
  const members = THUMBPRINT_MEMBERS[jwk.kty ?? ''] ?? []
  const canonical = JSON.stringify(Object.fromEntries(members.map((name) => [name, jwk[name]])))
  return createHash('sha256').update(canonical).digest('base64url')
}

/** The private key of a `KeyObject` or a JWK; a public, symmetric or unreadable key is refused. */
function privateKeyOf(input: unknown): KeyObject {
  let key: KeyObject
  if (input instanceof KeyObject) key = input
  else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    try {
      key = createPrivateKey({ key: input as JsonWebKey, format: 'jwk' })
    } catch {
      throw invalid('"privateKey" is a JWK without the private members of an EC, OKP or RSA key (a public or symmetric JWK cannot sign)')
    }
  } else throw invalid('"privateKey" must be a node:crypto KeyObject or a private JWK')
  if (key.type === 'secret') {
    throw invalid(
      '"privateKey" is a symmetric key: resource servers would need the secret to verify; use an EC, Ed25519 or RSA private key',
    )
  }
  if (key.type !== 'private') throw invalid('"privateKey" is a public key; give its private half (the JWKS publishes the public one)')
  return key
}

/**
 * The JWS algorithm a private key signs with: ES256/384/512 by its curve, EdDSA for Ed25519,
 * RS256 for RSA of at least 2048 bits.
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 * @see https://www.rfc-editor.org/rfc/rfc8037#section-3.1
 */
function algorithmOf(key: KeyObject): string {
  const details = key.asymmetricKeyDetails ?? {}
  switch (key.asymmetricKeyType) {
    case 'ec': {
      const alg = EC_ALGORITHMS[details.namedCurve ?? '']
      if (alg === undefined) throw invalid(`"privateKey" is on curve ${details.namedCurve}; use P-256, P-384 or P-521`)
      return alg
    }
    case 'ed25519':
      return 'EdDSA'
    case 'rsa':
      if ((details.modulusLength ?? 0) < 2048) throw invalid('"privateKey" is an RSA key under 2048 bits')
      return 'RS256'
    default:
      throw invalid(`"privateKey" is a ${key.asymmetricKeyType} key; use an EC (P-256), Ed25519 or RSA key`)
  }
}

/**
 * Reads the signing key once: its algorithm, its `kid` (`kid` given, else the JWK's own `kid`,
 * else the RFC 7638 thumbprint) and its public JWK, with no private member.
 * @throws AuthcodeOptionsError for a public, symmetric or unsupported key, or an empty `kid`.
 */
export function signingKey(input: unknown, kid: unknown): SigningKey {
  if (kid !== undefined && (typeof kid !== 'string' || kid === '')) throw invalid('"kid" must be a non-empty string')
  const privateKey = privateKeyOf(input)
  const alg = algorithmOf(privateKey)
  const publicKey = createPublicKey(privateKey)
  const exported = publicKey.export({ format: 'jwk' })
  const ownKid = input instanceof KeyObject ? undefined : (input as JsonWebKey).kid
  const keyId = kid ?? (typeof ownKid === 'string' && ownKid !== '' ? ownKid : jwkThumbprint(exported))
  const members = (THUMBPRINT_MEMBERS[exported.kty ?? ''] ?? []).filter((name) => name !== 'kty')
  const jwk = Object.freeze({
    kty: exported.kty as PublicJsonWebKey['kty'],
    ...Object.fromEntries(members.map((name) => [name, exported[name] as string])),
    kid: keyId,
    alg,
    use: 'sig' as const,
  })
  return { privateKey, publicKey, alg, kid: keyId, jwk }
}
