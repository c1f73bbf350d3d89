import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { toProblem } from '../infra/errors/problem';

/**
 * GraphQL errors carry the same mapping as REST: extensions.code is the problem code
 * (e.g. `device-busy`), extensions.status the HTTP status the REST API would answer.
 */
export function formatGraphqlError(
  formatted: GraphQLFormattedError,
  error: unknown,
): GraphQLFormattedError {
  const original = error instanceof GraphQLError ? (error.originalError ?? undefined) : error;
  const existingCode = formatted.extensions?.code;
  if (!original || original instanceof GraphQLError) {
    // Parse / validation errors from graphql-js itself keep their own codes.
    return formatted;
  }
  const problem = toProblem(original);
  if (
    problem.status >= 500 &&
    existingCode === 'INTERNAL_SERVER_ERROR' &&
    problem.code === 'internal'
  ) {
    return {
      message: problem.detail,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: 'internal', status: 500 },
    };
  }
  const { type, title, status, detail: _detail, code, instance: _instance, ...rest } = problem;
  return {
    message: problem.detail,
    locations: formatted.locations,
    path: formatted.path,
    extensions: { ...rest, code, status, type, title },
  };
}
