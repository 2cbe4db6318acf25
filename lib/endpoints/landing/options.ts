import Joi from 'joi'
import type { MagicLinkLandingOptions } from '../../../types/landing.js'
import { AuthcodeOptionsError } from '../../errors/options-error.js'
import { describeFault, faultCode } from '../../options/describe-fault.js'

const landingSchema = Joi.object({ signIn: Joi.function().required(), renderPage: Joi.function(), crossDevice: Joi.boolean() })

/**
 * Validates the options of `auth.magicLinkLanding()` once, when it is called.
 * @throws AuthcodeOptionsError naming the option that is missing, unknown or of the wrong type.
 */
export function landingOptions(input: unknown): MagicLinkLandingOptions {
  const { value, error } = landingSchema.validate(input, { abortEarly: true, convert: false })
  if (error) throw new AuthcodeOptionsError(`auth.magicLinkLanding(): ${describeFault(landingSchema, error)}`, faultCode(error.details[0]))
  return value as MagicLinkLandingOptions
}
