import type { AuthcodeLogger } from '../../types/options.js'
import type { ResolvedOptions } from './resolve.js'
import { MAKE_AT_REST_KEY, unmountedEndpoints } from './cross-checks.js'

/**
 * What `authcode()` tells the host's logger at start: endpoints the options imply but do not
 * mount, and that what the store keeps is not keyed (`atRestKey: false`).
 */
export function warnAtStart(options: ResolvedOptions, logger: AuthcodeLogger): void {
  for (const unmounted of unmountedEndpoints(options.clients, options.mounted)) {
    logger.warn(unmounted, 'express-authcode: the options imply an endpoint that is not mounted')
  }
  if (options.atRestKey === false) {
    logger.warn(
      {
        option: 'atRestKey',
        fix: `give atRestKey: 32 random bytes kept out of Redis (${MAKE_AT_REST_KEY})`,
        why:
          'key names hold bare hashes of users and addresses that guesses can be tried against; a dump lets someone try a live ' +
          "passcode offline; the router's cookies are MACed with a key of this process only, so a browser that moves between " +
          'processes is asked again',
      },
      'express-authcode: atRestKey: false, what the store keeps is not keyed',
    )
  }
}
