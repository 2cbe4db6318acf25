import type { ResolvedOptions } from './resolve.js'
import { unmountedEndpoints } from './cross-checks.js'

/**
 * What `authcode()` tells the host's logger at start: endpoints the options imply but do not
 * mount, and passcodes a dump of Redis could try offline (no `atRestKey`).
 */
export function warnAtStart(options: ResolvedOptions): void {
  const { logger } = options
  for (const unmounted of unmountedEndpoints(options.clients, options.mounted)) {
    logger.warn(unmounted, 'express-authcode: the options imply an endpoint that is not mounted')
  }
  const callers = options.accessTokens.length > 0 || options.verifyAccessToken !== undefined
  if (options.otp !== false && callers && options.atRestKey === undefined) {
    logger.warn(
      {
        option: 'atRestKey',
        fix: 'give atRestKey (32 random bytes kept out of Redis), or otp: false',
        why: 'without it, a dump of Redis lets someone try every passcode offline while one is live',
      },
      'express-authcode: one-time passcodes are possible without atRestKey',
    )
  }
}
