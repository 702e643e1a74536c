/**
 * The API's error, kept free of server imports: the lab throws it to answer with `{"error": {…}}`, and the
 * browser lab raises the same class for an error answer it receives.
 */

/** Every error the API returns has this body: `{"error": {"code", "message", "details"}}`. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}
