/** Pure rules of the Tag Manager runtime: trigger conditions, `{{Variable}}` templates and data layer paths. */

/** Matches one `{{Name}}` reference in a parameter value. */
const REFERENCE_PATTERN = /\{\{\s*([^{}]+?)\s*\}\}/g;

/**
 * Compares a variable's value with a condition's expected value, with Matomo's comparison
 * names. `equals` ignores case while `equals_exactly` does not; an invalid regular
 * expression never matches.
 */
export function compareCondition(actual: string, comparison: string, expected: string): boolean {
  const negated = comparison.startsWith('not_');
  const base = negated ? comparison.slice(4) : comparison;
  let result: boolean;
  switch (base) {
    case 'equals': result = actual.toLowerCase() === expected.toLowerCase(); break;
    case 'equals_exactly': result = actual === expected; break;
    case 'contains': result = actual.toLowerCase().includes(expected.toLowerCase()); break;
    case 'starts_with': result = actual.toLowerCase().startsWith(expected.toLowerCase()); break;
    case 'ends_with': result = actual.toLowerCase().endsWith(expected.toLowerCase()); break;
    case 'matches_regex': result = matchesRegex(actual, expected); break;
    default: return false;
  }
  return negated ? !result : result;
}

function matchesRegex(actual: string, pattern: string): boolean {
  try {
    return new RegExp(pattern, 'i').test(actual);
  } catch {
    return false;
  }
}

/**
 * Replaces `{{Name}}` references in a parameter value with the variables' values. A value
 * that is exactly one reference becomes the variable's value itself, which may be an object
 * such as a Matomo configuration. Objects and arrays are rendered member by member.
 */
export function renderTemplate(value: unknown, lookup: (name: string) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => renderTemplate(item, lookup));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, renderTemplate(item, lookup)]));
  }
  if (typeof value !== 'string') return value;
  const whole = /^\{\{\s*([^{}]+?)\s*\}\}$/.exec(value);
  if (whole) return lookup(whole[1]!);
  return value.replace(REFERENCE_PATTERN, (_match, name: string) => {
    const resolved = lookup(name);
    return resolved === undefined || resolved === null ? '' : String(resolved);
  });
}

/** Reads a dotted path such as `user.plan` from the merged data layer; undefined when a step is missing. */
export function readDataLayerPath(dataLayer: Record<string, unknown>, path: string): unknown {
  if (path in dataLayer) return dataLayer[path];
  let current: unknown = dataLayer;
  for (const step of path.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[step];
  }
  return current;
}
