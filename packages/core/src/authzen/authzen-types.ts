/**
 * The AuthZEN Authorization API 1.0 information model (OpenID AuthZEN, §5): who (subject) wants
 * to do what (action) to which thing (resource), in which circumstances (context).
 */

/** Free-form, JSON-serializable attributes. */
export type AuthZenProperties = Readonly<Record<string, unknown>>;

/** The subject: `type` and `id` are required (e.g. `{ type: 'user', id: 'alice' }`). */
export interface AuthZenSubject {
  readonly type: string;
  readonly id: string;
  readonly properties?: AuthZenProperties;
}

/** The action: `name` is required (e.g. `{ name: 'read' }`). */
export interface AuthZenAction {
  readonly name: string;
  readonly properties?: AuthZenProperties;
}

/** The resource: `type` and `id` are required (e.g. `{ type: 'document', id: '42' }`). */
export interface AuthZenResource {
  readonly type: string;
  readonly id: string;
  readonly properties?: AuthZenProperties;
}

/** One access evaluation request (`POST /access/v1/evaluation`). */
export interface AuthZenEvaluation {
  readonly subject: AuthZenSubject;
  readonly action: AuthZenAction;
  readonly resource: AuthZenResource;
  readonly context?: AuthZenProperties;
}
