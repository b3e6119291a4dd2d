/**
 * zod issues as people read them: one line each, `path: message`, the path written the way
 * the data is (`groups[2].classes[0].effective.from`), never quoting the value.
 */
import type { z } from 'zod';

/** `['groups', 2, 'classes', 0, 'effective', 'from']` → `groups[2].classes[0].effective.from`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(top level)' : out;
}

export function formatIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  return issues.map((i) => `${formatPath(i.path)}: ${i.message}`);
}
