import type { AuthcodeOptions, ClientOptions } from '../../types/options.js'
import { claimableLocally } from '../engine/redirect-uri.js'
import { AuthcodeOptionsError, OPTIONS_ERROR_CODES } from '../errors/options-error.js'
import type { MountedEndpoints } from './mount-policy.js'
import type { StoreShapes } from './schema.js'

const fail = (message: string, code: (typeof OPTIONS_ERROR_CODES)[keyof typeof OPTIONS_ERROR_CODES]) =>
  new AuthcodeOptionsError(`authcode(): ${message}`, code)

/**
 * The checks that span options, after each one is valid on its own: names that must refer to
 * something configured, and what an endpoint needs to work at all.
 * @throws AuthcodeOptionsError for the first fault.
 */
export function checkAcrossOptions(
  options: AuthcodeOptions,
  clients: ReadonlyMap<string, ClientOptions>,
  mounted: MountedEndpoints,
  shapes: Pick<StoreShapes, 'keepsToProcess'>,
): void {
  requireAtRestKey(options, shapes)
  checkArrivingClients(options, mounted)
  for (const token of options.accessTokens ?? []) {
    if (!clients.has(token.clientId)) {
      throw fail(`"accessTokens" names client "${token.clientId}", which is not in "clients"`, OPTIONS_ERROR_CODES.reference)
    }
  }
  for (const c of clients.values()) {
    if (c.integration !== undefined && !options.integrations?.[c.integration]) {
      throw fail(`client "${c.id}" names integration "${c.integration}", which is not in "integrations"`, OPTIONS_ERROR_CODES.reference)
    }
    if (c.consent === 'remember' && claimableLocally(c)) {
      throw fail(
        `client "${c.id}" is ${c.applicationType === 'native' ? 'native' : 'given a redirect URI that is not https:'}, so consent: 'remember' cannot apply: ` +
          `any local program can claim its redirect URI, and an earlier approval does not prove it is the same program (RFC 8252 §8.6). ` +
          `Leave consent out (the default for such a client, 'required', asks on every request)`,
        OPTIONS_ERROR_CODES.invalid,
      )
    }
    if (mounted.authorize && c.consent !== 'implicit' && options.consentUrl === undefined) {
      throw fail(
        `client "${c.id}" needs the user's consent at /authorize (native clients and clients with a non-https: redirect URI do unless consent: 'implicit'), so "consentUrl" is required`,
        OPTIONS_ERROR_CODES.missing,
      )
    }
  }
}

/**
 * Clients that arrive by URL or registration use `/authorize` and are asked for consent on every
 * request, so they need both mounted; a document's cache bounds must be in order.
 */
function checkArrivingClients(options: AuthcodeOptions, mounted: MountedEndpoints): void {
  const cache = typeof options.clientIdMetadataDocuments === 'object' ? options.clientIdMetadataDocuments.cacheSeconds : undefined
  if (cache?.min !== undefined && cache.max !== undefined && cache.min > cache.max) {
    throw fail('"clientIdMetadataDocuments.cacheSeconds.min" must not exceed its "max"', OPTIONS_ERROR_CODES.invalid)
  }
  for (const name of ['clientIdMetadataDocuments', 'dynamicRegistration'] as const) {
    if (!options[name]) continue
    if (!mounted.authorize)
      throw fail(`"${name}" brings clients to GET /authorize: give "loginUrl" or "getUser"`, OPTIONS_ERROR_CODES.missing)
    if (options.consentUrl === undefined) {
      throw fail(
        `"${name}" brings clients the user must approve on every request, so "consentUrl" is required`,
        OPTIONS_ERROR_CODES.missing,
      )
    }
  }
}

/** The one-line command the error and the docs give for making an `atRestKey`. */
export const MAKE_AT_REST_KEY = `node -e "console.log(crypto.randomBytes(32).toString('base64url'))"`

/**
 * `atRestKey` is required unless the store is a `MemoryStore` (kept in this process, never
 * dumped), as express-session requires `secret`: without it every digest of a person or an
 * address in a key name is a bare hash anyone can try guesses against. `false` opts out.
 * @throws AuthcodeOptionsError (`ERR_AUTHCODE_OPTION_MISSING`) naming the option and a command that makes a key.
 */
function requireAtRestKey(options: AuthcodeOptions, shapes: Pick<StoreShapes, 'keepsToProcess'>): void {
  if (options.atRestKey !== undefined || (options.store !== undefined && shapes.keepsToProcess(options.store))) return
  throw fail(
    `"atRestKey" is required with ${options.redis ? '"redis"' : 'a "store" other than MemoryStore'}: 32 random bytes kept out of Redis, ` +
      `shared by every process (make one with: ${MAKE_AT_REST_KEY}); atRestKey: false opts out`,
    OPTIONS_ERROR_CODES.missing,
  )
}

/** An endpoint the options imply but the router does not mount, as fields for the host's logger. */
export interface UnmountedEndpoint {
  endpoint: string
  /** The clients configured for it, when it is clients that imply it. */
  clients?: string[]
  fix: string
}

/** What the options imply but the router will not do: endpoints clients are configured for that are not mounted. */
export function unmountedEndpoints(clients: ReadonlyMap<string, ClientOptions>, mounted: MountedEndpoints): UnmountedEndpoint[] {
  const named = (pick: (c: ClientOptions) => boolean) => [...clients.values()].filter(pick).map((c) => c.id)
  const found: UnmountedEndpoint[] = []
  // With Capture mounted, redirect URIs alone do not imply /authorize: a Capture code's receiver (`for_client_id`) registers them too.
  const oauth = named(
    (c) =>
      c.scopes !== undefined || c.applicationType === 'native' || (c.redirectUris !== undefined && !c.captureRoles && !mounted.capture),
  )
  if (!mounted.authorize && oauth.length > 0)
    found.push({ endpoint: 'GET /authorize', clients: oauth, fix: 'give "loginUrl" or "getUser"' })
  if (mounted.authorize && !mounted.token) {
    found.push({ endpoint: 'POST /token', fix: 'give "issueTokens", or codes from GET /authorize can only be redeemed by auth.redeem()' })
  }
  const capture = named((c) => (c.captureRoles?.length ?? 0) > 0)
  if (!mounted.capture && capture.length > 0) {
    found.push({ endpoint: 'POST /access/getAuthorizationCode', clients: capture, fix: 'give "findUser"' })
  }
  return found
}
