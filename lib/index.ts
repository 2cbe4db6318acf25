export { authcode, authcode as default, type AuthcodeRouter } from './authcode.js'
export { AuthcodeOptionsError, OPTIONS_ERROR_CODE } from './options.js'
export { jwtAccessTokens, type JwtAccessTokensOptions } from './helpers/jwt-access-tokens.js'
export { MemoryStore, type MemoryStoreOptions } from './stores/memory-store.js'
export { RedisStore, type RedisStoreOptions } from './stores/redis-store.js'
export {
  CAPTURE_ERRORS,
  CaptureError,
  DuplicateParameterError,
  EventHandlerFailedError,
  InvalidClientError,
  InvalidGrantError,
  InvalidRequestError,
  InvalidScopeError,
  LoginRequiredError,
  MisconfigurationError,
  OAuthError,
  ProblemError,
  RateLimitedError,
  StoreUnavailableError,
  UnsupportedGrantTypeError,
  UnsupportedResponseTypeError,
  ValidationError,
  type CaptureErrorInit,
  type CaptureErrorName,
  type FieldError,
  type OAuthErrorCode,
} from './errors/errors.js'
export { PROBLEM_TYPE_BASE } from './errors/render-error.js'
export type { AuthorizationServerMetadata } from './handlers/metadata.js'
export type * from '../types/index.js'
