/**
 * Stable codes of the configuration faults `authcode()` and `jwtAccessTokens()` throw, one
 * per kind of fault, for a host's start-up checks to switch on.
 */
export const OPTIONS_ERROR_CODES = {
  /** A required option is missing. */
  missing: 'ERR_AUTHCODE_OPTION_MISSING',
  /** An option the library does not know (a misspelt name gets a "did you mean"). */
  unknown: 'ERR_AUTHCODE_OPTION_UNKNOWN',
  /** An option has a value it cannot take. */
  invalid: 'ERR_AUTHCODE_OPTION_INVALID',
  /** Two options that exclude each other, or neither of two of which one is required. */
  conflict: 'ERR_AUTHCODE_OPTION_CONFLICT',
  /** An option names something (a client, an integration) that is not configured. */
  reference: 'ERR_AUTHCODE_OPTION_REFERENCE',
} as const

/** One of {@link OPTIONS_ERROR_CODES}. */
export type OptionsErrorCode = (typeof OPTIONS_ERROR_CODES)[keyof typeof OPTIONS_ERROR_CODES]

/** Thrown by `authcode()` (and `jwtAccessTokens()`) when an option is missing, unknown or invalid. */
export class AuthcodeOptionsError extends TypeError {
  override name = 'AuthcodeOptionsError'

  constructor(
    message: string,
    /** Which kind of fault: one of {@link OPTIONS_ERROR_CODES}. */
    readonly code: OptionsErrorCode,
  ) {
    super(message)
  }
}
