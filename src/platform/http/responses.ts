/** `{message}`: what the legacy API answers for an action with nothing else to say. */
export class MessageResponse {
  message: string;
}
