import type { Scenario, ScenarioName } from '../scenario.js'
import { authorize } from './authorize.js'
import { baseline } from './baseline.js'
import { capture } from './capture.js'
import { codes } from './codes.js'
import { oidcAuth } from './oidc-auth.js'
import { oidcToken } from './oidc-token.js'
import { token } from './token.js'

/** Every scenario, in the order results are reported. */
export const scenarios: readonly Scenario[] = [codes, capture, authorize, token, baseline, oidcAuth, oidcToken]

/** The scenario called `name`. */
export function scenarioNamed(name: string): Scenario {
  const scenario = scenarios.find((s) => s.name === name)
  if (!scenario) throw new Error(`no scenario "${name}"; known: ${scenarios.map((s) => s.name).join(', ')}`)
  return scenario
}

export type { ScenarioName }
