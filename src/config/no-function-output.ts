/**
 * nunjucks prints a function's source code when a template outputs a function (`{{ range }}`,
 * `{{ names.push }}`), and "[object Object]" for a mapping: a config file would silently get
 * JavaScript or garbage. Every output goes through
 * its runtime's suppressValue, so refusing functions there covers state values and template
 * files alike; the error surfaces as a template error at the expression's line and column.
 */
import nunjucks from 'nunjucks';

interface Runtime {
  suppressValue(value: unknown, autoescape: boolean): unknown;
  __keelNoFunctions?: true;
}

const runtime = (nunjucks as unknown as { runtime: Runtime }).runtime;
if (!runtime.__keelNoFunctions) {
  const suppress = runtime.suppressValue;
  runtime.suppressValue = (value, autoescape) => {
    if (typeof value === 'function') throw new Error(FUNCTION_OUTPUT);
    if (isMapping(value)) throw new Error(MAPPING_OUTPUT);
    return suppress(value, autoescape);
  };
  runtime.__keelNoFunctions = true;
}

/**
 * A plain object prints as "[object Object]", and so does one inside a list ("a,[object Object]"):
 * never what a config file meant. A list of plain values prints joined with commas, as Jinja's
 * users expect.
 */
function isMapping(value: unknown): boolean {
  if (Array.isArray(value)) return value.some((v) => typeof v === 'function' || isMapping(v) || Array.isArray(v));
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export const MAPPING_OUTPUT = 'this expression is a mapping (or a list holding one), not text: print one of its keys ({{ x.key }}), or make the whole value this one expression';

export const FUNCTION_OUTPUT = 'this expression is a function, not a value: call it (range(3), cycler("a", "b").next())';
