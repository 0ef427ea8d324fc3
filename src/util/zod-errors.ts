import type { z } from 'zod';

/** One line per issue: `field.path: message`, for error output that names the field. */
export function formatZodIssues(error: z.ZodError, max = 10): string[] {
  const lines = error.issues.slice(0, max).map((issue) => {
    const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
    return `${field}: ${issue.message}`;
  });
  if (error.issues.length > max) lines.push(`... and ${error.issues.length - max} more`);
  return lines;
}
