/** RFC 8414 authorization server metadata. */
export interface AuthorizationServerMetadata {
  issuer: string
  authorization_endpoint?: string
  token_endpoint?: string
  /** The `alg`s `/token` takes DPoP proofs in (`dpop.algorithms`), with `/token`. @see https://www.rfc-editor.org/rfc/rfc9449#section-5.1 */
  dpop_signing_alg_values_supported?: string[]
  /** `POST /revoke`, mounted with `refreshTokens`. @see https://www.rfc-editor.org/rfc/rfc7009#section-2 */
  revocation_endpoint?: string
  revocation_endpoint_auth_methods_supported?: string[]
  response_types_supported: string[]
  response_modes_supported: string[]
  grant_types_supported: string[]
  code_challenge_methods_supported: string[]
  token_endpoint_auth_methods_supported: string[]
  scopes_supported?: string[]
  authorization_response_iss_parameter_supported: boolean
  /** `GET /jwks`, the keys of the access tokens a `jwtAccessTokenIssuer` mints. @see https://www.rfc-editor.org/rfc/rfc8414#section-2 */
  jwks_uri?: string
  /** `POST /par`, mounted with `/authorize`. @see https://www.rfc-editor.org/rfc/rfc9126#section-5 */
  pushed_authorization_request_endpoint?: string
  /** Whether `/authorize` takes pushed requests only (`par.required`). */
  require_pushed_authorization_requests?: boolean
  /** `POST /register`, mounted with `dynamicRegistration`. @see https://www.rfc-editor.org/rfc/rfc8414#section-2 */
  registration_endpoint?: string
  /**
   * `true` with `clientIdMetadataDocuments`: a `client_id` may be the URL of its metadata document.
   * @see https://datatracker.ietf.org/doc/draft-ietf-oauth-client-id-metadata-document/
   */
  client_id_metadata_document_supported?: boolean
}
