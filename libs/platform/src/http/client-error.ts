import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  codeForStatus,
  type Problem,
  PROBLEM_CONTENT_TYPE,
  problemType,
  toProblem,
} from '@ihf/observability';

/**
 * Answers the requests Node's HTTP parser refuses before Fastify sees them (headers or request
 * line over the size limit, a malformed request line, a header read timeout) with a
 * problem+json, as every other answer, instead of Fastify's own JSON shape. Given to Fastify as
 * `clientErrorHandler`.
 */
export function problemClientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // A reset connection has no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let detail = 'The request is not valid HTTP';
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    detail = 'The request line and headers are larger than this service accepts';
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    detail = 'The request was not received in time';
  }
  const code = codeForStatus(status);
  const problem: Problem = {
    type: problemType(code),
    title: STATUS_CODES[status] ?? 'Error',
    status,
    code,
    detail,
    instance: '/',
  };
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${problem.title}\r\nConnection: close\r\n` +
        `Content-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Answers the errors Fastify's router raises before any hook or route runs (a bad
 * percent-encoding in the path `FST_ERR_BAD_URL`, a path parameter over `maxParamLength`
 * `FST_ERR_MAX_PARAM_LENGTH`) with the problem of `toProblem`. Given to Fastify as
 * `frameworkErrors`; Nest's own handler sends Fastify's JSON shape instead. No hook ran, so
 * the headers the security hooks would set are set here.
 */
export function problemFrameworkErrors(
  error: Error,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const path = request.raw.url?.split('?')[0] ?? '/';
  const { problem } = toProblem(error, path);
  void reply
    .code(problem.status)
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'no-store')
    .type(`${PROBLEM_CONTENT_TYPE}; charset=utf-8`)
    .send(JSON.stringify(problem));
}
