/** The authenticated caller, attached to the request by the auth guard. */
export interface AuthUser {
  id: string;
  email: string;
  isSuperuser: boolean;
  sessionId: string;
}
