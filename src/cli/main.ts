/** keel's entry point: the command line of program.ts, errors as handle-error.ts says. */
import { handleError } from './handle-error.js';
import { buildProgram } from './program.js';

buildProgram().parseAsync(process.argv).catch(handleError);
