/** Rendering of `docs/api.md` from the method registry, so the API reference cannot drift from the code. */
import type { ApiMethod, ApiMethodRegistry } from './api-method-registry.js';

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function renderMethod(method: ApiMethod): string[] {
  const lines = [`### ${method.name}`, '', method.description, ''];
  if (method.parameters.length === 0) {
    lines.push('No parameters besides `token_auth` and `format`.', '');
  } else {
    lines.push('| parameter | required | meaning |', '| --- | --- | --- |');
    for (const parameter of method.parameters) {
      lines.push(`| \`${parameter.name}\` | ${parameter.required ? 'yes' : 'no'} | ${escapeCell(parameter.description)} |`);
    }
    lines.push('');
  }
  if (method.differences) lines.push(`Differences from Matomo: ${method.differences}`, '');
  return lines;
}

/**
 * Returns the Markdown of `docs/api.md`: every method the registry serves, grouped by module,
 * with its parameters and its differences from Matomo.
 */
export function renderApiDocs(registry: ApiMethodRegistry): string {
  const methods = registry.list();
  const modules = [...new Set(methods.map((method) => method.name.split('.')[0]!))];
  const lines = [
    '# Reporting API reference',
    '',
    'Generated from the method registry by `npm run docs:api`; a test fails when this file and the code differ.',
    '',
    'Every method is called as `/index.php?module=API&method=Module.action` (or `/?module=API&...`), by GET or',
    'form POST, with `format=xml` (the default), `json`, `csv` or `tsv`, and `token_auth` (in the POST body',
    'for tokens that must not appear in URLs). Errors use Matomo\'s shape, `{"result":"error","message":...}`,',
    'plus Footfall\'s stable `code` (see `docs/errors.md`), with a 4xx status for bad input. A POST body may be',
    'compressed with `Content-Encoding: gzip`, `deflate` or `br`, as `docs/tracking.md` describes for every path.',
    '',
    `${methods.length} methods in ${modules.length} modules: ${modules.join(', ')}.`,
    '',
  ];
  for (const module of modules) {
    lines.push(`## ${module}`, '');
    for (const method of methods.filter((candidate) => candidate.name.startsWith(`${module}.`))) lines.push(...renderMethod(method));
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
