import type { z } from 'zod';

/** One line per issue: `field.path: message`, for error output that names the field. */
export function formatZodIssues(error: z.ZodError, max = 10): string[] {
  const lines = error.issues.slice(0, max).map((issue) => {
    const field = issue.path.length > 0 ? fieldPath(issue.path) : '(top level)';
    return `${field}: ${issue.message}`;
  });
  if (error.issues.length > max) lines.push(`... and ${error.issues.length - max} more`);
  return lines;
}

/**
 * The one notation for a place in a file, as the README writes it: `objects.hosts[0]`,
 * `objects.vms.names[3]`; a key that is not a plain word is quoted (`groups["a.b"]`).
 */
export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number' || (typeof key === 'string' && /^\d+$/.test(key)))
      out += `[${String(key)}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$-]*$/.test(key))
      out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}
