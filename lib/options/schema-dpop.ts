import Joi from 'joi'

/**
 * The JWS `alg`s a DPoP proof may be signed with: asymmetric ones only, since the proof carries
 * the key that checks it.
 * @see https://www.rfc-editor.org/rfc/rfc9449#section-4.2
 * @see https://www.rfc-editor.org/rfc/rfc7518#section-3.1
 */
export const DPOP_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
] as const

/** One `dpop.algorithms` entry: `none` and HMAC are refused by name, with the reason. */
function dpopAlgorithm(value: string, helpers: Joi.CustomHelpers): string | Joi.ErrorReport {
  if (value === 'none' || /^HS\d+$/.test(value)) {
    return helpers.message({
      custom: `{{#label}} must not be "${value}": a DPoP proof is signed with the private key of the public key it carries (RFC 9449 §4.2)`,
    })
  }
  if ((DPOP_ALGORITHMS as readonly string[]).includes(value)) return value
  return helpers.message({ custom: `{{#label}} must be one of ${DPOP_ALGORITHMS.join(', ')}` })
}

/** `dpop`: the `alg`s a DPoP proof may use, and the seconds its `iat` may be off the server clock. */
export const dpop = Joi.object({
  algorithms: Joi.array().items(Joi.string().custom(dpopAlgorithm)).min(1).unique(),
  skewSeconds: Joi.number().integer().min(1).max(300),
})
