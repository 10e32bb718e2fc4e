/**
 * Fleet's REST error body (reference fleet-policies.md §6.6, `EncodeError`):
 * `{"message": "...", "errors": [{"name": "base", "reason": "..."}]}` with Fleet's status mapping.
 * Every REST failure goes through `toApiError`, so a script written for Fleet sees the same shape.
 */
import { isOsqsimError } from '../../lib/errors.js';

export interface FleetErrorItem {
  readonly name: string;
  readonly reason: string;
}

export interface FleetErrorBody {
  readonly message: string;
  readonly errors: readonly FleetErrorItem[];
}

export class ApiError extends Error {
  readonly status: number;
  /** Fleet's top-level message ("Bad request", "Resource Not Found", …). */
  readonly fleetMessage: string;
  readonly items: readonly FleetErrorItem[];

  constructor(status: number, fleetMessage: string, items: readonly FleetErrorItem[]) {
    super(items.map((item) => item.reason).join('; ') || fleetMessage);
    this.name = 'ApiError';
    this.status = status;
    this.fleetMessage = fleetMessage;
    this.items = items;
  }

  body(): FleetErrorBody {
    return { message: this.fleetMessage, errors: this.items };
  }
}

const base = (reason: string): FleetErrorItem[] => [{ name: 'base', reason }];

export const badRequest = (reason: string, items?: readonly FleetErrorItem[]): ApiError =>
  new ApiError(400, 'Bad request', items ?? base(reason));
export const unauthorized = (): ApiError => new ApiError(401, 'Authentication required', base('Authentication required'));
export const notFound = (reason: string): ApiError => new ApiError(404, 'Resource Not Found', base(reason));
export const alreadyExists = (reason: string): ApiError => new ApiError(409, 'Resource Already Exists', base(reason));
export const validationFailed = (name: string, reason: string): ApiError =>
  new ApiError(422, 'Validation Failed', [{ name, reason }]);

interface FastifyLikeError {
  code?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

/** Maps anything thrown by a route (ours, the store's, fastify's body parser) to Fleet's shape. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (isOsqsimError(error)) {
    const message = String((error as { message?: unknown }).message ?? error.code);
    switch (error.code) {
      case 'STORE_CONFLICT':
        return alreadyExists(message);
      case 'STORE_NOT_FOUND':
        return notFound(message);
      case 'STORE_UNAVAILABLE':
        return new ApiError(503, 'Service Unavailable', base(message));
      case 'HTTP_MALFORMED_JSON':
        return badRequest(message);
      case 'HTTP_BODY_TOO_LARGE':
        return new ApiError(413, 'Request Entity Too Large', base(message));
      default: {
        const status = (error as { status?: unknown }).status;
        if (typeof status === 'number' && status >= 400 && status < 500) return new ApiError(status, 'Bad request', base(message));
        return new ApiError(500, 'Internal Server Error', base(message));
      }
    }
  }
  const candidate = (typeof error === 'object' && error !== null ? error : {}) as FastifyLikeError;
  const code = typeof candidate.code === 'string' ? candidate.code : '';
  const message = typeof candidate.message === 'string' ? candidate.message : String(error);
  if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError) {
    return badRequest(`malformed JSON body: ${message}`);
  }
  if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError(413, 'Request Entity Too Large', base(message));
  if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ApiError(415, 'Unsupported Media Type', base(message));
  const statusCode = typeof candidate.statusCode === 'number' ? candidate.statusCode : 500;
  if (statusCode >= 400 && statusCode < 500) return new ApiError(statusCode, 'Bad request', base(message));
  return new ApiError(500, 'Internal Server Error', base(message));
}
