/**
 * Ask for an identity's passphrase on the terminal, once per key file for the whole run (hosts
 * connect in parallel), echo off. Only when stdin is a terminal: cron and CI never block on it.
 */
import { createInterface } from 'node:readline';
import type { PromptPassphrase } from '../transport/ssh.js';

const asked = new Map<string, Promise<string>>();
let queue: Promise<unknown> = Promise.resolve();

export const promptPassphrase: PromptPassphrase | undefined = process.stdin.isTTY
  ? (identityPath) => {
      let answer = asked.get(identityPath);
      if (!answer) {
        answer = queue.then(() => askHidden(`Enter passphrase for ${identityPath}: `));
        queue = answer.catch(() => undefined);
        asked.set(identityPath, answer);
      }
      return answer;
    }
  : undefined;

function askHidden(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    // echo off: print the question, swallow what is typed
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = () => undefined;
    process.stderr.write(question);
    rl.question('', (value) => {
      process.stderr.write('\n');
      rl.close();
      resolve(value);
    });
  });
}

/** Ask a question on the terminal and read one line (echo on). */
export function askLine(question: string): Promise<string> {
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    rl.question(question, (value) => {
      resolve(value);
      rl.close();
    });
    // end of input (Ctrl-D) is no answer
    rl.on('close', () => resolve(''));
  });
}
