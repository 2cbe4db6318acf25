import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'

/** How {@link MemoryOAuthProvider} introduces its client. */
export interface MemoryOAuthProviderSettings {
  redirectUrl: string
  clientMetadata: OAuthClientMetadata
  /** The `state` it sends. */
  state: string
  /** A client the server already knows (none: the SDK names it by `clientMetadataUrl`, or registers it). */
  clientInformation?: OAuthClientInformationMixed
  /** The URL of its Client ID Metadata Document, which the SDK uses as `client_id` when the server supports it. */
  clientMetadataUrl?: string
}

/**
 * An MCP client's OAuth state as the SDK keeps it, in memory: its client information (given, or
 * what the SDK registered or derived), tokens and PKCE verifier, and the authorization URL the
 * SDK asked the user to open.
 */
export class MemoryOAuthProvider implements OAuthClientProvider {
  authorizationUrl: URL | undefined
  readonly clientMetadataUrl: string | undefined
  #client: OAuthClientInformationMixed | undefined
  #tokens: OAuthTokens | undefined
  #verifier = ''

  constructor(private readonly settings: MemoryOAuthProviderSettings) {
    this.clientMetadataUrl = settings.clientMetadataUrl
    this.#client = settings.clientInformation
  }

  get redirectUrl(): string {
    return this.settings.redirectUrl
  }

  get clientMetadata(): OAuthClientMetadata {
    return this.settings.clientMetadata
  }

  state(): string {
    return this.settings.state
  }

  clientInformation(): OAuthClientInformationMixed | undefined {
    return this.#client
  }

  saveClientInformation(client: OAuthClientInformationMixed): void {
    this.#client = client
  }

  tokens(): OAuthTokens | undefined {
    return this.#tokens
  }

  saveTokens(tokens: OAuthTokens): void {
    this.#tokens = tokens
  }

  redirectToAuthorization(url: URL): void {
    this.authorizationUrl = url
  }

  saveCodeVerifier(verifier: string): void {
    this.#verifier = verifier
  }

  codeVerifier(): string {
    return this.#verifier
  }
}
