import type { Request as AutocannonRequest } from 'autocannon'
import type { Express } from 'express'
import type { BenchConnection, BenchRedis } from './redis.js'

/** The scenarios of this library's endpoints. */
export type AuthcodeScenarioName = 'POST /codes' | 'POST /access/getAuthorizationCode' | 'GET /authorize' | 'POST /token'

/** The suffix of a scenario run with an OpenTelemetry SDK registered in its target process (`--otel`). */
export const WITH_OTEL = ' + OTel SDK'

/** Names of the measured scenarios, exactly as they appear in the results file. */
export type ScenarioName =
  | AuthcodeScenarioName
  | `${AuthcodeScenarioName}${typeof WITH_OTEL}`
  | 'POST /codes otp'
  | 'POST /token + refresh token'
  | 'POST /token + DPoP'
  | 'POST /token refresh_token'
  | 'baseline'
  | 'oidc-provider GET /auth'
  | 'oidc-provider POST /token'
  | 'POST /login/magic'
  | 'better-auth magic-link send'
  | 'better-auth magic-link verify'

/** What a target process prepares before a run and hands to the load generator. */
export interface Fixture {
  /** A `Cookie` header of a signed-in session. */
  cookie?: string
  /** Single-use codes, one per request (the landing page's: each code's whole form body, with its CSRF token). */
  codes?: string[]
}

/** A scenario's host app, running in its own target process. */
export interface Served {
  app: Express
  /** Prepares a run of up to `count` requests against the app listening at `origin`. */
  prepare?(count: number, origin: string): Promise<Fixture>
}

/** Other Redis connections a host app may be given. */
export interface HostConnections {
  /** Where the host's express-session store lives, if not on the library's Redis. */
  sessions?: BenchRedis | undefined
  /**
   * Rate limits off (`--memory`), so that Redis holds only the records an issuance leaves;
   * otherwise every limit counts, with limits no run reaches.
   */
  noLimits?: boolean | undefined
}

/**
 * One measured endpoint. `serve` runs in the target process, `requests` in the load
 * generator process; the two meet only through the {@link Fixture}.
 */
export interface Scenario {
  readonly name: ScenarioName
  /** Method and path the runner probes first: a 404 means this build does not mount the endpoint. */
  readonly probe: { method: 'GET' | 'POST'; path: string }
  /** The status every measured request is expected to get. */
  readonly expectStatus: number
  /** Each request uses up one prepared code, so a run needs as many codes as requests. */
  readonly consumesCodes?: boolean
  /** `--memory` prepares the fixture before it reads the empty keyspace: what it prepares is not what the requests leave. */
  readonly preparedBeforeMeasuring?: boolean
  /** The target process registers an OpenTelemetry SDK before it builds the host app. */
  readonly otel?: boolean
  /** Builds the host app on `redis` (a cluster client only in `--scale`); the host's sessions go to `hosts.sessions` when given. */
  serve(redis: BenchConnection, hosts: HostConnections): Promise<Served>
  requests(fixture: Fixture): AutocannonRequest[]
}

/** Hands out one code per call; past the end it returns a dud, which the run reports as an unexpected status. */
function codeDispenser(fixture: Fixture): () => string {
  const codes = fixture.codes ?? []
  let next = 0
  return () => codes[next++] ?? 'exhausted-the-prepared-codes'
}

/**
 * The small JSON body of `POST /codes`, also parsed by the baseline: a distinct
 * `external_user_id` per request, so no per-subject state builds up; `extra` fields are added.
 */
export function magicLinkBody(extra: Record<string, unknown> = {}): () => string {
  let n = 0
  const run = process.pid.toString(36)
  return () => JSON.stringify({ external_user_id: `user-${run}-${n++}`, ttl: 300, ...extra })
}

/**
 * A form-encoded `POST` whose body is built per request around the next prepared code, with the
 * headers `extraHeaders` gives for each request when given (a DPoP proof).
 */
export function tokenRequest(
  path: string,
  fixture: Fixture,
  form: (code: string) => Record<string, string>,
  extraHeaders?: () => Record<string, string>,
): AutocannonRequest {
  const next = codeDispenser(fixture)
  const body = () => new URLSearchParams(form(next())).toString()
  return {
    method: 'POST',
    path,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    setupRequest: extraHeaders
      ? (request) => ({ ...request, headers: { ...request.headers, ...extraHeaders() }, body: body() })
      : (request) => ({ ...request, body: body() }),
  }
}

/** Makes `count` codes, `batch` at a time, so that node-redis pipelines the writes of each batch. */
export async function prepareCodes(count: number, batch: number, make: () => Promise<string>): Promise<Fixture> {
  const codes: string[] = []
  while (codes.length < count) {
    codes.push(...(await Promise.all(Array.from({ length: Math.min(batch, count - codes.length) }, make))))
  }
  return { codes }
}
