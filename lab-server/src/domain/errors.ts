/**
 * What the lab's services report when a request cannot be done. They say what went wrong in their own terms
 * (a machine-readable code, a sentence for the learner, details to act on); `http/errors.ts` alone decides
 * which HTTP status each kind becomes, so services never depend on the HTTP layer.
 */
export abstract class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** The thing named does not exist. */
export class NotFoundError extends DomainError {
  constructor(message: string, details: Record<string, unknown> = {}) {
    super('not_found', message, details);
  }
}

/** A value the caller passed is malformed (an id that is no UUID, a cursor this API never returned). */
export class InvalidInputError extends DomainError {}

/** Well-formed input that refers to something that does not exist (a member or owner who is no user). */
export class UnknownReferenceError extends DomainError {}

/** The caller may not do this to that (send to a conversation they are not a member of). */
export class NotPermittedError extends DomainError {}

/** The lab's current state forbids it (a name already taken, a run already going, a step that failed). */
export class ConflictError extends DomainError {}

/** Not possible right now, but retrying later may work (shards down, the lab not listening yet). */
export class UnavailableError extends DomainError {}
