import { metrics, trace, type Counter, type Histogram, type MeterProvider, type Tracer, type TracerProvider } from '@opentelemetry/api'
import type { CodeKind } from '../../types/grant.js'

/** The instrumentation scope of every meter and tracer of the router. */
export const INSTRUMENTATION_SCOPE = 'express-authcode'

/**
 * Why a redemption failed: no such code (or a malformed one, or no live passcode), a code past
 * its expiry, a code consumed before (a replay), a code bound to another client, redirect URI,
 * verifier or kind (or a bound passcode typed in another browser), a wrong passcode, the last
 * wrong passcode a grant allows (which burns it), or a passcode of a user past the budget of
 * wrong passcodes for the window (refused, its grant burned).
 */
export type RedeemFailure = 'unknown' | 'expired' | 'reused' | 'binding' | 'otp_wrong' | 'otp_attempts' | 'otp_locked'

/**
 * Why an endpoint refused a request: over a rate limit; credentials missing, wrong or lacking
 * the scope or role (or, at `/authorize`, nobody signed in); anything else the caller sent
 * wrong; or the code store did not answer.
 */
export type Rejection = 'rate_limited' | 'unauthenticated' | 'invalid' | 'store_unavailable'

/**
 * How refresh-token families were revoked: by their client at `POST /revoke`, by the host's
 * `auth.revokeGrants()` ("sign out everywhere"), or by a replayed token.
 */
export type GrantRevocation = 'revocation' | 'sign_out' | 'reuse'

/**
 * Bucket bounds of `authcode.store.duration`, in milliseconds: a Redis round trip takes well
 * under one, an outage ends at the command deadline (1500 ms).
 */
const STORE_DURATION_BUCKETS_MS = [0.25, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500]

interface Instruments {
  issued: Counter
  redeemed: Counter
  reuseDetected: Counter
  redeemFailed: Counter
  rejected: Counter
  refreshRotated: Counter
  refreshReused: Counter
  grantsRevoked: Counter
  storeDuration: Histogram
}

function createInstruments(provider: MeterProvider): Instruments {
  const meter = provider.getMeter(INSTRUMENTATION_SCOPE)
  const counter = (name: string, description: string, unit = '{code}') => meter.createCounter(name, { description, unit })
  return {
    issued: counter('authcode.codes.issued', 'Codes issued, by kind and client.'),
    redeemed: counter('authcode.codes.redeemed', 'Codes redeemed, by kind.'),
    reuseDetected: counter('authcode.codes.reuse_detected', 'Consumed codes presented again, by kind.'),
    redeemFailed: counter('authcode.codes.redeem_failed', 'Failed redemptions, by reason (and kind when the code was found).'),
    rejected: counter('authcode.requests.rejected', 'Requests an endpoint refused, by endpoint and reason.', '{request}'),
    refreshRotated: counter('authcode.refresh.rotated', 'Refresh tokens rotated, by client.', '{token}'),
    refreshReused: counter('authcode.refresh.reuse_detected', 'Rotated refresh tokens presented again, by client.', '{token}'),
    grantsRevoked: counter('authcode.grants.revoked', 'Refresh-token families revoked, by how.', '{family}'),
    storeDuration: meter.createHistogram('authcode.store.duration', {
      description: 'Duration of code store operations, by operation.',
      unit: 'ms',
      advice: { explicitBucketBoundaries: STORE_DURATION_BUCKETS_MS },
    }),
  }
}

/**
 * The instruments of SPEC §9 and the tracer, for one router. Through `@opentelemetry/api`
 * alone: each is a no-op until the host registers an SDK.
 *
 * The metrics API has no delegating no-op (unlike the trace API): instruments taken from it
 * before the host registers its meter provider would stay no-ops forever. So each router keeps
 * its instruments together with the provider they came from and takes them afresh whenever the
 * global provider is another one (registered late, or replaced); checking costs one property
 * read per record. SDKs merge instruments of one name, so several routers in one process add
 * to the same metrics.
 * @see https://github.com/open-telemetry/opentelemetry-js/issues/3622
 */
export class Telemetry {
  #meterProvider: MeterProvider | undefined
  #instruments: Instruments | undefined
  #tracerProvider: TracerProvider | undefined
  #tracer: Tracer | undefined

  /** The tracer of the router's spans, from the current global tracer provider. */
  get tracer(): Tracer {
    const provider = trace.getTracerProvider()
    if (provider !== this.#tracerProvider || this.#tracer === undefined) {
      this.#tracerProvider = provider
      this.#tracer = provider.getTracer(INSTRUMENTATION_SCOPE)
    }
    return this.#tracer
  }

  /** A code was stored and handed out. */
  codeIssued(kind: CodeKind, clientId: string): void {
    this.#current().issued.add(1, { 'authcode.kind': kind, 'authcode.client_id': clientId })
  }

  /** A code was consumed and its grant handed to the redeemer. */
  codeRedeemed(kind: CodeKind): void {
    this.#current().redeemed.add(1, { 'authcode.kind': kind })
  }

  /** A consumed code was presented again; the redemption also counts as failed (`reused`). */
  reuseDetected(kind: CodeKind): void {
    this.#current().reuseDetected.add(1, { 'authcode.kind': kind })
  }

  /** A redemption failed; `kind` is known when the code was found. */
  redeemFailed(reason: RedeemFailure, kind?: CodeKind): void {
    this.#current().redeemFailed.add(
      1,
      kind === undefined ? { 'authcode.reason': reason } : { 'authcode.kind': kind, 'authcode.reason': reason },
    )
  }

  /** An endpoint (`POST /codes`, the method and the route under the mount path) refused a request. */
  requestRejected(endpoint: string, reason: Rejection): void {
    this.#current().rejected.add(1, { 'authcode.endpoint': endpoint, 'authcode.reason': reason })
  }

  /** A refresh token was rotated for its client (the token itself is never an attribute). */
  refreshRotated(clientId: string): void {
    this.#current().refreshRotated.add(1, { 'authcode.client_id': clientId })
  }

  /** A rotated refresh token of a client was presented again. */
  refreshReuseDetected(clientId: string): void {
    this.#current().refreshReused.add(1, { 'authcode.client_id': clientId })
  }

  /** `count` refresh-token families were revoked, and how. */
  grantsRevoked(count: number, reason: GrantRevocation): void {
    if (count > 0) this.#current().grantsRevoked.add(count, { 'authcode.reason': reason })
  }

  /** A store operation took `ms` milliseconds (failed ones included). */
  storeDuration(operation: string, ms: number): void {
    this.#current().storeDuration.record(ms, { 'authcode.operation': operation })
  }

  #current(): Instruments {
    const provider = metrics.getMeterProvider()
    if (provider !== this.#meterProvider || this.#instruments === undefined) {
      this.#meterProvider = provider
      this.#instruments = createInstruments(provider)
    }
    return this.#instruments
  }
}
