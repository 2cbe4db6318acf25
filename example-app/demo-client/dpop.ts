import { randomUUID } from 'node:crypto'
import { calculateJwkThumbprint, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose'

/** The algorithm of the demo's DPoP keys: ES256, a P-256 key. */
const ALG = 'ES256'

/**
 * A fresh DPoP key pair as a private JWK (which holds its public half), kept in the demo client's
 * server-side session: the browser never sees it, and a JWK survives a session store that keeps
 * JSON (Redis).
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-2
 */
export async function newDpopKey(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true })
  return exportJWK(privateKey)
}

/** The public half of a P-256 private JWK: what a proof's `jwk` header carries (never `d`). */
const publicJwkOf = ({ kty, crv, x, y }: JWK): JWK => ({ kty, crv, x, y })

/**
 * The key's SHA-256 JWK thumbprint, the `dpop_jkt` a code is bound to and the `cnf.jkt` of the tokens.
 * @see https://www.rfc-editor.org/rfc/rfc7638
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-10
 */
export function dpopThumbprint(key: JWK): Promise<string> {
  return calculateJwkThumbprint(publicJwkOf(key))
}

/**
 * A DPoP proof for one `POST` to `htu` (the token endpoint's URL, no query or fragment): a JWT
 * with header `{ typ: 'dpop+jwt', alg, jwk }` and claims `htm`, `htu`, `iat` and a fresh `jti`,
 * signed with the private key. Each request needs a new proof: the server accepts a `jti` once.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 */
export async function dpopProof(key: JWK, htu: string): Promise<string> {
  return new SignJWT({ htm: 'POST', htu, jti: randomUUID() })
    .setProtectedHeader({ typ: 'dpop+jwt', alg: ALG, jwk: publicJwkOf(key) })
    .setIssuedAt()
    .sign(await importJWK(key, ALG))
}

/** The `DPoP` header a request sent, with its proof's header and claims decoded, as the demo pages show it. */
export function describeProof(proof: string): string {
  const shown = { header: decodeProtectedHeader(proof), claims: decodeJwt(proof) }
  return `DPoP: ${proof}\n\n${JSON.stringify(shown, null, 2)}`
}
