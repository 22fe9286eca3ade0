import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { makeRenderer } from './render.js';
import { evaluateWhen } from './when.js';

const r = makeRenderer({ facts: { os: { family: 'debian' }, cpus: 2 }, env_name: 'prod', list: [1], empty: '' });

describe('evaluateWhen', () => {
  it('evaluates comparisons, tests and logic to booleans', () => {
    expect(evaluateWhen("facts.os.family == 'debian'", r)).toBe(true);
    expect(evaluateWhen("facts.os.family == 'redhat'", r)).toBe(false);
    expect(evaluateWhen('facts.cpus > 1 and env_name != "dev"', r)).toBe(true);
    expect(evaluateWhen('missing is defined', r)).toBe(false);
    expect(evaluateWhen('not (list | length > 0)', r)).toBe(false);
    expect(evaluateWhen("{{ env_name == 'prod' }}", r)).toBe(true);
    expect(evaluateWhen(false, r)).toBe(false);
    expect(evaluateWhen(true, r)).toBe(true);
  });

  it('refuses a value that is not a boolean', () => {
    expect(() => evaluateWhen('facts.os.family', r)).toThrow(/must be true or false, it gave "debian" \(string\)/);
    expect(() => evaluateWhen('list', r)).toThrow(/\(list\)/);
    expect(() => evaluateWhen('empty', r)).toThrow(/must be true or false/);
    expect(() => evaluateWhen(3, r)).toThrow(ConfigError);
    expect(() => evaluateWhen('{% if x %}', r)).toThrow(/one expression/);
    for (const broken of ['env_name ==', 'env_name = "prod"', '(env_name', "env_name == 'prod"]) {
      expect(() => evaluateWhen(broken, r)).toThrow(`when: cannot read the condition ${JSON.stringify(broken)}: it is not one complete expression`);
    }
  });

  it('names an undefined variable', () => {
    expect(() => evaluateWhen("fact.os == 'x'", r)).toThrow(/undefined variable 'fact'.*did you mean 'facts'/);
  });

  it('can run no code', () => {
    expect(() => evaluateWhen('"".constructor.constructor("return true")()', r)).toThrow(/cannot be read in a template/);
    expect(() => evaluateWhen('env_name["constructor"]["constructor"]("return true")()', r)).toThrow(/cannot be read/);
  });
});
