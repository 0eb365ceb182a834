import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { problemBody, sendProblem, type ProblemBody } from './problem';

/**
 * Errors Fastify raises before a route is matched (a path that does not
 * decode, a path segment over the router's limit) answer problem+json like
 * every other error, and never echo the URL: it may carry personal data,
 * and an echo of a hostile URL is a reflection vector.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path segment is too long' : 'the URL is malformed (bad percent-encoding)';
  sendProblem(reply, problemBody(400, 'VALIDATION_FAILED', message, [{ path: 'url', message }]));
}

/** What Node's HTTP parser refuses before Fastify sees a request, as RFC 9457 problems. */
function clientProblem(code: string | undefined): ProblemBody {
  if (code === 'HPE_HEADER_OVERFLOW') return problemBody(431, 'HEADERS_TOO_LARGE', 'the request line and headers exceed the server limit');
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return problemBody(408, 'REQUEST_TIMEOUT', 'the request was not received in time');
  const message = 'the request is not valid HTTP';
  return problemBody(400, 'VALIDATION_FAILED', message, [{ path: '', message }]);
}

/**
 * Fastify's default clientError handler with a problem+json body: the
 * socket is answered directly (there is no request object yet) and closed.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = clientProblem(error.code);
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${problem.status} ${problem.title}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
