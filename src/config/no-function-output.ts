/**
 * nunjucks prints a function's source code when a template outputs a function (`{{ range }}`,
 * `{{ name.upper }}`): a config file would silently get JavaScript. Every output goes through
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
    return suppress(value, autoescape);
  };
  runtime.__keelNoFunctions = true;
}

export const FUNCTION_OUTPUT = 'this expression is a function, not a value: call it (range(3), cycler("a", "b").next())';
