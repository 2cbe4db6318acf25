import type { AuthcodeOptions } from '../../types/options.js'

/** Which endpoints a router mounts (and its metadata advertises). `POST /codes` always is. */
export interface MountedEndpoints {
  /** `GET /authorize`: the router can tell who is signed in (`getUser`) or where to sign in (`loginUrl`). */
  authorize: boolean
  /** `POST /token`: `issueTokens` mints the answer. */
  token: boolean
  /** `POST` and `GET /access/getAuthorizationCode`: `findUser` resolves Capture lookups. */
  capture: boolean
  /** `POST /oauth/token`, Capture's exchange: its codes come from `findUser` and its answer from `issueTokens`. */
  captureToken: boolean
  /** `POST /revoke`: the router mints refresh tokens (`refreshTokens`), which only the token endpoints (`issueTokens`) hand out. */
  revoke: boolean
}

/** The one place that decides what is mounted, from the options. */
export function mountPolicy(
  options: Pick<AuthcodeOptions, 'loginUrl' | 'getUser' | 'issueTokens' | 'findUser' | 'refreshTokens'>,
): MountedEndpoints {
  return {
    authorize: options.loginUrl !== undefined || options.getUser !== undefined,
    token: options.issueTokens !== undefined,
    capture: options.findUser !== undefined,
    captureToken: options.findUser !== undefined && options.issueTokens !== undefined,
    revoke: Boolean(options.refreshTokens) && options.issueTokens !== undefined,
  }
}

/**
 * The grant types `/token` and `/oauth/token` take, as the metadata lists them: codes, and
 * refresh tokens when the router mints them.
 * @see https://www.rfc-editor.org/rfc/rfc8414#section-2
 */
export function grantTypes(options: Pick<AuthcodeOptions, 'refreshTokens'>): string[] {
  return options.refreshTokens ? ['authorization_code', 'refresh_token'] : ['authorization_code']
}
