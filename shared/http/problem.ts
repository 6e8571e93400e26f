import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';

/** RFC 9457 problem details, with zod issues when the problem is invalid input. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code?: string;
  instance?: string;
  issues?: { code: string; path: (string | number)[]; message: string }[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemResponse(
  problem: ProblemDetails,
  headers: Record<string, string> = {},
): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
    body: JSON.stringify(problem),
  };
}

export function zodIssues(
  error: z.ZodError,
  prefix: (string | number)[] = [],
): NonNullable<ProblemDetails['issues']> {
  return error.issues.map((issue) => ({
    code: issue.code,
    path: [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: issue.message,
  }));
}
