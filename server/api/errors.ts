/**
 * Fleet's REST error body (reference fleet-policies.md §6.6, `EncodeError`):
 * `{"message": "...", "errors": [{"name": "base", "reason": "..."}]}` with Fleet's status mapping.
 * Routes throw catalogue errors (lib/errors.ts) made by the helpers below; the REST API's error
 * handler maps anything else onto the catalogue (server/errors.ts) and writes it with
 * `fleetErrorAnswer`, so a script written for Fleet sees the same shape. No error class of its own.
 */
import { osqsimError, type OsqsimError } from '../../lib/errors.js';

export interface FleetErrorItem {
  readonly name: string;
  readonly reason: string;
}

export interface FleetErrorBody {
  readonly message: string;
  readonly errors: readonly FleetErrorItem[];
}

/** Fleet's top-level message for each status it answers with. */
const FLEET_MESSAGE: Readonly<Record<number, string>> = {
  400: 'Bad request',
  401: 'Authentication required',
  404: 'Resource Not Found',
  409: 'Resource Already Exists',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  422: 'Validation Failed',
  503: 'Service Unavailable',
};

const base = (reason: string): FleetErrorItem[] => [{ name: 'base', reason }];

export const badRequest = (reason: string, items?: readonly FleetErrorItem[]): OsqsimError =>
  osqsimError('HTTP_BAD_REQUEST', { reason, items: items ?? base(reason) });
export const unauthorized = (): OsqsimError => osqsimError('HTTP_UNAUTHORIZED', { items: base('Authentication required') });
export const notFound = (reason: string): OsqsimError => osqsimError('API_NOT_FOUND', { reason, items: base(reason) });
export const validationFailed = (name: string, reason: string): OsqsimError =>
  osqsimError('API_VALIDATION_FAILED', { name, reason, items: [{ name, reason }] });

/**
 * The status and Fleet body for a catalogue error: the entry's status (500 for one without an HTTP
 * status) and the items the route gave, or the message as Fleet's `base` item.
 */
export function fleetErrorAnswer(error: OsqsimError): { status: number; body: FleetErrorBody } {
  const status = error.status >= 400 ? error.status : 500;
  const items = error.params['items'];
  return {
    status,
    body: {
      message: FLEET_MESSAGE[status] ?? (status < 500 ? 'Bad request' : 'Internal Server Error'),
      errors: Array.isArray(items) ? (items as FleetErrorItem[]) : base(error.message),
    },
  };
}
