import { WITH_OTEL, type AuthcodeScenarioName, type Scenario, type ScenarioName } from '../scenario.js'
import { authorize } from './authorize.js'
import { baseline } from './baseline.js'
import { betterAuthSend, betterAuthVerify } from './better-auth.js'
import { capture } from './capture.js'
import { codes, codesOtp } from './codes.js'
import { landing } from './landing.js'
import { oidcAuth } from './oidc-auth.js'
import { oidcToken } from './oidc-token.js'
import { refreshRotation } from './refresh.js'
import { refreshFamily, token, tokenDpop } from './token.js'

/** Every scenario, in the order results are reported. */
export const scenarios: readonly Scenario[] = [
  codes,
  capture,
  authorize,
  token,
  tokenDpop,
  landing,
  baseline,
  oidcAuth,
  oidcToken,
  betterAuthSend,
  betterAuthVerify,
]

/** The scenarios the latency run measures (`--redis-latency`): each endpoint of this library, and the baseline. */
export const latencyScenarios: readonly Scenario[] = [codes, capture, authorize, token, landing, baseline]

/**
 * The scenarios whose Redis bytes per request `--memory` measures: those that issue codes, the code
 * exchange that starts a refresh-token family, and a rotation.
 */
export const issuingScenarios: readonly Scenario[] = [codes, codesOtp, capture, authorize, refreshFamily, refreshRotation]

/** The library's scenarios again, each with an OpenTelemetry SDK registered in its target process (`--otel`). */
export const otelScenarios: readonly Scenario[] = [codes, capture, authorize, token].map((s) => ({
  ...s,
  name: `${s.name as AuthcodeScenarioName}${WITH_OTEL}` as const,
  otel: true,
}))

/** The `--otel` variant of a scenario, if it has one. */
export function withOtel(scenario: Scenario): Scenario | undefined {
  return otelScenarios.find((s) => s.name === `${scenario.name}${WITH_OTEL}`)
}

/** The scenario called `name`. */
export function scenarioNamed(name: string): Scenario {
  const scenario = [...scenarios, ...otelScenarios, codesOtp, refreshFamily, refreshRotation].find((s) => s.name === name)
  if (!scenario) throw new Error(`no scenario "${name}"; known: ${scenarios.map((s) => s.name).join(', ')} (each of ours also${WITH_OTEL})`)
  return scenario
}

export type { ScenarioName }
