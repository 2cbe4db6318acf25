// The parts of oidc-provider (which ships no types) the bench host uses.
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http'

  interface Model {
    save(): Promise<string>
  }
  interface Grant extends Model {
    addOIDCScope(scope: string): void
  }
  interface Interaction {
    uid: string
    params: Record<string, unknown>
  }
  type Payload = Record<string, unknown>

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>)
    readonly Grant: new (init: { accountId: string; clientId: string }) => Grant
    readonly AuthorizationCode: {
      new (payload: Payload): Model
      find(code: string): Promise<(Model & Payload) | undefined>
    }
    callback(): (req: IncomingMessage, res: ServerResponse) => void
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: Payload,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>
    on(event: string, listener: (...args: unknown[]) => void): this
  }
}
