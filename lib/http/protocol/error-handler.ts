// boxliteErrorHandler: Express error middleware that answers any error with
// BoxLite's envelope, for people's own routes next to (or instead of) ours.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdFor } from './request-id';
import { sendError } from './respond';
import type { NextFunction } from '../handler';

export interface BoxliteErrorHandlerOptions {
  /** false: 5xx answers carry a generic message (default true). */
  exposeInternal?: boolean;
  /** Called for 5xx answers (default: none; Express apps log their own way). */
  onError?: (err: unknown, requestId: string) => void;
}

export type BoxliteErrorMiddleware = (err: unknown, req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

export function boxliteErrorHandler(options: BoxliteErrorHandlerOptions = {}): BoxliteErrorMiddleware {
  // Exactly four parameters: that is how Express tells error middleware apart.
  return function boxliteErrorMiddleware(err: unknown, req: IncomingMessage, res: ServerResponse, next: NextFunction): void {
    // Once the answer started, only Express's default handler can end it
    // properly (it destroys the socket).
    if (res.headersSent) {
      next(err);
      return;
    }
    const existing = res.getHeader('X-Request-Id');
    const requestId = typeof existing === 'string' ? existing : requestIdFor(req);
    sendError(req, res, err, { requestId, exposeInternal: options.exposeInternal, onServerError: options.onError });
  };
}
