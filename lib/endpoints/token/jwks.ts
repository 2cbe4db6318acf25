import type { Router } from 'express'
import type { JsonWebKeySet } from '../../../types/resource.js'
import { DEFAULTS } from '../../defaults.js'
import { renderProblem } from '../../http/render/problem.js'
import { addRoute } from '../../http/route.js'

/** The media type of a JWK Set. @see https://www.rfc-editor.org/rfc/rfc7517#section-8.5.1 */
const JWK_SET_JSON = 'application/jwk-set+json; charset=utf-8'

/**
 * `GET /jwks`: the public keys of the router's access tokens, readable from any origin and
 * cacheable for {@link DEFAULTS.jwtIssuer.jwksMaxAge} seconds (a verifier meeting an unknown
 * `kid` fetches again anyway).
 * @see https://www.rfc-editor.org/rfc/rfc7517#section-5
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function mountJwks(router: Router, jwks: JsonWebKeySet): void {
  const body = JSON.stringify(jwks)
  addRoute(router, { method: 'get', path: '/jwks', errors: renderProblem }, [
    function serveJwks(_req, res) {
      res.statusCode = 200
      res.setHeader('Content-Type', JWK_SET_JSON)
      res.setHeader('Cache-Control', `public, max-age=${DEFAULTS.jwtIssuer.jwksMaxAge}`)
      res.setHeader('Access-Control-Allow-Origin', '*')
      res.end(body)
    },
  ])
}
