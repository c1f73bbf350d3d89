// Service-level errors with a closed code union, mapped once to HTTP (problem+json) and GraphQL
// (extensions.code) by src/infra/errors/problem.ts. Services throw these, never HttpException.

export const PROBLEMS = {
  'not-found': { status: 404, title: 'Not Found' },
  'route-not-found': { status: 404, title: 'Not Found' },
  'validation-failed': { status: 400, title: 'Validation Failed' },
  'bad-request': { status: 400, title: 'Bad Request' },
  'invalid-xml': { status: 400, title: 'Invalid XML' },
  'invalid-xl-config': { status: 400, title: 'Invalid xl.cfg' },
  conflict: { status: 409, title: 'Conflict' },
  'already-exists': { status: 409, title: 'Already Exists' },
  'method-not-allowed': { status: 405, title: 'Method Not Allowed' },
  'not-acceptable': { status: 406, title: 'Not Acceptable' },
  'payload-too-large': { status: 413, title: 'Payload Too Large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported Media Type' },
  'service-unavailable': { status: 503, title: 'Service Unavailable' },
  internal: { status: 500, title: 'Internal Server Error' },
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

export class AppError extends Error {
  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'AppError';
  }
}
