/**
 * One error hierarchy for keel. The CLI turns any KeelError into one clear message
 * (file:line:column, what was expected, what to do); a stack trace only at debug level.
 */
export interface SourcePos {
  file: string;
  line: number; // 1-based (0 with `path`)
  column: number; // 1-based (0 with `path`)
  /** A place in text with no lines worth showing (the JSON an inventory script printed): shown instead of line:column. */
  path?: string;
}

/** `file:line:column` or, for output with no lines, `file: at path`. */
export function formatPos(pos: SourcePos): string {
  return pos.path === undefined ? `${pos.file}:${pos.line}:${pos.column}` : `${pos.file}: at ${pos.path || 'the top'}`;
}

export interface KeelErrorInit {
  cause?: unknown;
  pos?: SourcePos;
  host?: string;
  resource?: string;
  hint?: string;
}

export class KeelError extends Error {
  override name = 'KeelError';
  readonly code: string;
  readonly pos?: SourcePos;
  readonly host?: string;
  readonly resource?: string;
  readonly hint?: string;

  constructor(code: string, message: string, init: KeelErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = code;
    this.pos = init.pos;
    this.host = init.host;
    this.resource = init.resource;
    this.hint = init.hint;
  }

  /** "file:line:column: message (hint)" — the form every user-facing error takes. */
  format(): string {
    const where = this.pos ? `${formatPos(this.pos)}: ` : '';
    const who = [this.host && `host ${this.host}`, this.resource && `resource ${this.resource}`]
      .filter(Boolean)
      .join(', ');
    const prefix = who ? `${who}: ` : '';
    return `${where}${prefix}${this.message}${this.hint ? `\n  hint: ${this.hint}` : ''}`;
  }
}

/** Bad input in a state file or inventory: always carries a position when one is known. */
export class ConfigError extends KeelError {
  override name = 'ConfigError';
  constructor(message: string, init: KeelErrorInit = {}) {
    super('E_CONFIG', message, init);
  }
}

/** A command-line flag with a value keel cannot use: said at once, before anything is loaded or run. */
export class UsageError extends KeelError {
  override name = 'UsageError';
  constructor(message: string, init: KeelErrorInit = {}) {
    super('E_USAGE', message, init);
  }
}

/** Every error of one load/validate pass, reported together. */
export class ConfigErrors extends KeelError {
  override name = 'ConfigErrors';
  readonly errors: KeelError[];
  constructor(errors: KeelError[]) {
    super('E_CONFIG', `${errors.length} error${errors.length === 1 ? '' : 's'} in configuration`);
    this.errors = errors;
  }
  override format(): string {
    return this.errors.map((e) => e.format()).join('\n');
  }
}

export class CycleError extends KeelError {
  override name = 'CycleError';
  constructor(message: string, init: KeelErrorInit = {}) {
    super('E_CYCLE', message, init);
  }
}

/** A command on a host failed, or the connection did. */
export class TransportError extends KeelError {
  override name = 'TransportError';
  constructor(message: string, init: KeelErrorInit = {}) {
    super('E_TRANSPORT', message, init);
  }
}

/** The connection dropped while a command ran: its outcome on the host is unknown. */
export class ConnectionLostError extends TransportError {
  override name = 'ConnectionLostError';
}

/** The host could not be reached at all (connect, auth, host key). */
export class UnreachableError extends KeelError {
  override name = 'UnreachableError';
  constructor(message: string, init: KeelErrorInit = {}) {
    super('E_UNREACHABLE', message, init);
  }
}

/** A command run by a module exited non-zero. */
export class CommandError extends KeelError {
  override name = 'CommandError';
  readonly command: string;
  readonly exitCode: number;
  readonly stderr: string;
  constructor(command: string, exitCode: number, stderr: string, init: KeelErrorInit = {}) {
    const tail = stderr.trim().split('\n').slice(-10).join('\n');
    super('E_COMMAND', `command failed (exit ${exitCode})${tail ? `: ${tail}` : ''}`, init);
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** After apply the resource still differs from its spec: the module is at fault. */
export class NotIdempotentError extends KeelError {
  override name = 'NotIdempotentError';
  constructor(message: string, init: KeelErrorInit = {}) {
    super('E_NOT_IDEMPOTENT', message, init);
  }
}

/**
 * The state contradicts itself on a host: a later resource undid an earlier one on the same path,
 * or a command ran and its own guard still says it must run. Fixed in the state, not in keel.
 */
export class StateError extends KeelError {
  override name = 'StateError';
  constructor(message: string, init: KeelErrorInit = {}) {
    super('E_STATE', message, init);
  }
}

export function isKeelError(e: unknown): e is KeelError {
  return e instanceof KeelError;
}

/** The text a report shows for an error: a KeelError formatted (hint, position), else its message. */
export function errorMessage(e: unknown): string {
  if (isKeelError(e)) return e.format();
  return e instanceof Error ? e.message : String(e);
}
