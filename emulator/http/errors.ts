// Stripe's error JSON: { error: { type, code?, message, param? } } with Stripe's status codes.

export interface StripeErrorBody {
  error: { type: string; code?: string; message: string; param?: string; doc_url?: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
    readonly param?: string,
  ) {
    super(message);
  }

  body(): StripeErrorBody {
    const error: StripeErrorBody['error'] = { type: this.type, message: this.message };
    if (this.code) error.code = this.code;
    if (this.param) error.param = this.param;
    if (this.code) error.doc_url = `https://stripe.com/docs/error-codes/${this.code.replace(/_/g, '-')}`;
    return { error };
  }
}

export const errors = {
  invalidKey: (shown: string): ApiError =>
    new ApiError(401, 'invalid_request_error', `Invalid API Key provided: ${shown}`, 'api_key_invalid'),
  noKey: (): ApiError =>
    new ApiError(401, 'invalid_request_error', 'You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. \'Authorization: Bearer YOUR_SECRET_KEY\').'),
  expiredToken: (): ApiError =>
    new ApiError(401, 'invalid_request_error', 'The provided OAuth access token has expired or been revoked.', 'api_key_expired'),
  missing: (objectName: string, id: string, param = 'id'): ApiError =>
    new ApiError(404, 'invalid_request_error', `No such ${objectName}: '${id}'`, 'resource_missing', param),
  missingCursor: (objectName: string, id: string, param: string): ApiError =>
    new ApiError(400, 'invalid_request_error', `No such ${objectName}: '${id}'`, 'resource_missing', param),
  invalidParam: (param: string, message: string): ApiError =>
    new ApiError(400, 'invalid_request_error', message, 'parameter_invalid_integer', param),
  unknownParam: (param: string): ApiError =>
    new ApiError(400, 'invalid_request_error', `Received unknown parameter: ${param}`, 'parameter_unknown', param),
  badRequest: (message: string, param?: string): ApiError =>
    new ApiError(400, 'invalid_request_error', message, undefined, param),
  unknownRoute: (method: string, path: string): ApiError =>
    new ApiError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`),
  readOnly: (shownKey: string, accountId: string): ApiError =>
    new ApiError(403, 'invalid_request_error', `The provided key '${shownKey}' does not have the required permissions for this endpoint on account '${accountId}'. This emulator is read-only: only GET requests are permitted.`),
  noAccountAccess: (accountId: string): ApiError =>
    new ApiError(403, 'invalid_request_error', `The provided key does not have access to account '${accountId}' (or that account does not exist). Application access may have been revoked.`, 'account_invalid'),
  rateLimited: (): ApiError =>
    new ApiError(429, 'invalid_request_error', 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.', 'rate_limit'),
  injected500: (): ApiError =>
    new ApiError(500, 'api_error', 'An unknown error occurred (injected by the emulator).'),
};
