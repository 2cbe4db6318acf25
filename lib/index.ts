export { authcode, authcode as default } from './authcode.js'
export { AuthcodeOptionsError, OPTIONS_ERROR_CODES, type OptionsErrorCode } from './errors/options-error.js'
export { jwtAccessTokens, type JwtAccessTokensOptions } from './endpoints/codes/jwt-access-tokens.js'
export { jwtAccessTokenIssuer, type JwtAccessTokenIssuerOptions } from './endpoints/token/jwt-access-token-issuer.js'
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js'
export { RedisStore, type RedisStoreOptions } from './stores/redis-store.js'
export { AuthcodeError } from './errors/authcode-error.js'
export {
  EventHandlerFailedError,
  MisconfigurationError,
  PROBLEM_TYPE_BASE,
  PROBLEMS,
  ProblemError,
  RateLimitedError,
  StoreUnavailableError,
  ValidationError,
  type FieldError,
  type ProblemInit,
  type ProblemSlug,
} from './errors/problems.js'
export {
  DuplicateParameterError,
  InvalidClientError,
  InvalidDpopProofError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  InvalidTargetError,
  OAuthError,
  UnauthorizedClientError,
  UnsupportedGrantTypeError,
  type OAuthErrorCode,
} from './errors/oauth.js'
export {
  AccessDeniedError,
  ConsentRequiredError,
  InvalidRequestUriError,
  LoginRequiredError,
  UnsupportedResponseTypeError,
} from './errors/oauth-authorize.js'
export { CAPTURE_ERRORS, CaptureError, type CaptureErrorInit, type CaptureErrorName } from './errors/capture.js'
export type * from '../types/index.js'
