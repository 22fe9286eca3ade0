/**
 * `when:` conditions. The expression is the language of `{{ }}` (a nunjucks expression, no
 * statements) over the same variables (vars, facts, bundle params, loop items); it must yield
 * a boolean. `when: true` / `when: false` (YAML booleans) are taken as they are, and a value
 * written as one `{{ expr }}` is the same as `expr`.
 */
import { ConfigError } from '../errors.js';
import type { Renderer, TextLocation } from './render.js';
import { describeValue } from './source.js';
import { templateVarUses } from './template-vars.js';

const WRAPPED = /^\s*\{\{-?([\s\S]*?)-?\}\}\s*$/;
const PREFIX = '{{ (';

/** Throws ConfigError (at the expression's position when `at` is given). */
export function evaluateWhen(value: unknown, r: Renderer, at?: TextLocation): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(`when: expected a condition (an expression such as "facts.os.family == 'debian'"), found ${describeValue(value)}`, {
      pos: at?.pos(0),
    });
  }
  const wrapped = WRAPPED.exec(value);
  const expr = wrapped ? wrapped[1] : value;
  if (/\{%|%\}|\{\{|\}\}/.test(expr)) {
    throw new ConfigError('when: expected one expression, not a template with {% %} or several {{ }}', { pos: at?.pos(0) });
  }
  const shift = wrapped ? value.indexOf(expr) : 0;
  const inner: TextLocation | undefined = at && { pos: (offset, token) => at.pos(Math.max(0, offset - PREFIX.length + shift), token) };
  const text = `${PREFIX}${expr}) }}`;
  try {
    templateVarUses(text); // parses it: the parser's own words ("unexpected token: )") name our wrapping, not the mistake
  } catch (e) {
    throw new ConfigError(`when: cannot read the condition ${JSON.stringify(expr.trim())}: it is not one complete expression`, {
      pos: at?.pos(0),
      hint: "write a comparison or a test: \"env_name == 'prod'\" (== compares), \"x is defined\", \"a and not b\"; quote strings on both ends",
      cause: e,
    });
  }
  const result = r.render(text, inner);
  if (typeof result === 'boolean') return result;
  throw new ConfigError(`when: the condition must be true or false, it gave ${describeValue(result)}`, {
    pos: at?.pos(0),
    hint: "compare or test the value: \"x == 'a'\", \"x is defined\", \"x | length > 0\"",
  });
}
