/**
 * Templates and `when:` conditions see data, and can run no code. nunjucks resolves `a.b` with
 * plain JavaScript property access, so `"".constructor.constructor("...")()` would reach
 * `Function` and run anything on the controller. Every member lookup goes through its runtime's
 * memberLookup: refusing the names that lead from a value to its prototype or constructor there
 * closes that path for state values, template files and conditions alike.
 */
import nunjucks from 'nunjucks';

interface Runtime {
  memberLookup(obj: unknown, val: unknown): unknown;
  __keelSandbox?: true;
}

const FORBIDDEN = new Set(['constructor', '__proto__', 'prototype', '__defineGetter__', '__defineSetter__', '__lookupGetter__', '__lookupSetter__']);

export const FORBIDDEN_MEMBER = (name: string) =>
  `'${name}' cannot be read in a template: templates and conditions see data, and run no code`;

const runtime = (nunjucks as unknown as { runtime: Runtime }).runtime;
if (!runtime.__keelSandbox) {
  const lookup = runtime.memberLookup;
  runtime.memberLookup = (obj, val) => {
    if (FORBIDDEN.has(String(val))) throw new Error(FORBIDDEN_MEMBER(String(val)));
    return lookup(obj, val);
  };
  runtime.__keelSandbox = true;
}
