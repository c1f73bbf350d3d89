// RFC 9457 problem details: every error leaves the REST API through toProblem() and the GraphQL API
// through toGraphqlExtensions(); both come from the same mapping.
import { HttpException } from '@nestjs/common';
import { AppError, PROBLEMS, ProblemCode } from './app-error';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  [extension: string]: unknown;
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Other error families (e.g. the engine's EngineError) register a mapper here, once. */
export type ErrorMapper = (
  err: unknown,
) =>
  | { code: string; status: number; title: string; detail: string; extra?: Record<string, unknown> }
  | undefined;
const mappers: ErrorMapper[] = [];
export function registerErrorMapper(mapper: ErrorMapper): void {
  mappers.push(mapper);
}

interface FastifyLikeError {
  statusCode?: number;
  code?: string;
  message?: string;
  validation?: unknown;
}

function fromHttpException(err: HttpException): {
  code: ProblemCode;
  detail: string;
  extra?: Record<string, unknown>;
} {
  const status = err.getStatus();
  const body = err.getResponse();
  const message =
    typeof body === 'object' && body !== null && 'message' in body ? body.message : err.message;
  if (status === 400 && Array.isArray(message)) {
    return {
      code: 'validation-failed',
      detail: (message as unknown[]).map(String).join('; '),
      extra: { errors: message },
    };
  }
  const code: ProblemCode =
    status === 404
      ? 'not-found'
      : status === 405
        ? 'method-not-allowed'
        : status === 409
          ? 'conflict'
          : status === 413
            ? 'payload-too-large'
            : status === 415
              ? 'unsupported-media-type'
              : status === 406
                ? 'not-acceptable'
                : status === 503
                  ? 'service-unavailable'
                  : status >= 500
                    ? 'internal'
                    : 'bad-request';
  return { code, detail: typeof message === 'string' ? message : JSON.stringify(message) };
}

function fromFastifyError(
  err: FastifyLikeError,
): { code: ProblemCode; detail: string } | undefined {
  if (
    typeof err.statusCode !== 'number' ||
    typeof err.code !== 'string' ||
    !err.code.startsWith('FST_')
  )
    return undefined;
  const status = err.statusCode;
  const code: ProblemCode =
    status === 413
      ? 'payload-too-large'
      : status === 415
        ? 'unsupported-media-type'
        : status >= 500
          ? 'internal'
          : 'bad-request';
  return { code, detail: err.message ?? 'bad request' };
}

export function toProblem(err: unknown, instance?: string): ProblemDetails {
  for (const mapper of mappers) {
    const m = mapper(err);
    if (m) {
      return {
        type: `/problems/${m.code}`,
        title: m.title,
        status: m.status,
        detail: m.detail,
        code: m.code,
        instance,
        ...(m.extra ?? {}),
      };
    }
  }
  let code: ProblemCode;
  let detail: string;
  let extra: Record<string, unknown> = {};
  if (err instanceof AppError) {
    code = err.code;
    detail = err.detail;
    extra = err.extra;
  } else if (err instanceof HttpException) {
    ({ code, detail, extra = {} } = fromHttpException(err));
  } else {
    const f = fromFastifyError(err as FastifyLikeError);
    if (f) ({ code, detail } = f);
    else {
      code = 'internal';
      detail = 'an unexpected error occurred; see the server log';
    }
  }
  const { status, title } = PROBLEMS[code];
  return { type: `/problems/${code}`, title, status, detail, code, instance, ...extra };
}
