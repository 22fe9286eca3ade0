/**
 * The transport seam: four methods, SSH and local are interchangeable.
 * A module never runs commands except through the engine's transport.
 */
export interface ExecOptions {
  /** Bytes fed to the script's standard input. */
  stdin?: string | Buffer;
  /** Run as root (or `becomeUser`) through sudo; the password travels over stdin, never argv. */
  sudo?: boolean;
  /** Kill the command after this many milliseconds (TransportError). */
  timeoutMs?: number;
}

export interface ExecResult {
  code: number;
  stdout: Buffer;
  stderr: Buffer;
}

export interface PutOptions {
  /** Octal string, e.g. "0644". */
  mode?: string;
  owner?: string;
  group?: string;
  sudo?: boolean;
}

export interface Transport {
  /** Inventory name of the host. */
  readonly host: string;
  /** Run a POSIX sh script on the host (`sh -c`), optionally via sudo. Never rejects for a non-zero exit. */
  exec(script: string, opts?: ExecOptions): Promise<ExecResult>;
  /**
   * Write a file atomically: a temp file beside the target, then rename, so readers never see
   * a half-written file and an interrupted put leaves the old file intact.
   */
  put(path: string, content: string | Buffer, opts?: PutOptions): Promise<void>;
  /**
   * Start a script that keeps running while its stdin stays open: it sees `stdin` and then EOF
   * only when `end()` is called or the connection drops (a crashed controller's holder ends too).
   */
  hold?(script: string, opts: HoldOptions): HeldScript;
  close(): Promise<void>;
}

export interface HoldOptions {
  stdin: string;
  sudo?: boolean;
}

export interface HeldScript {
  /** Every chunk of stdout, as it arrives. */
  onStdout(listener: (chunk: Buffer) => void): void;
  /** Settles when the script has exited (code null: the channel closed without an exit status). */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
  /** Close the script's stdin. */
  end(): void;
}

/** Connection settings of one host, resolved from the inventory. */
export interface ConnectionSpec {
  host: string;
  connection: 'ssh' | 'local';
  address: string;
  port: number;
  user: string;
  identity?: string;
  /** Name of an environment variable that holds the identity's passphrase. */
  identityPassphraseEnv?: string;
  password?: string;
  /** Name of the environment variable `password` was read from (for a clear error when it is unset). */
  passwordEnv?: string;
  knownHosts?: string;
  acceptNew?: boolean;
  /** Another host's connection to tunnel through (ProxyJump). */
  jump?: ConnectionSpec;
  become: boolean;
  becomeUser?: string;
  /** Name of an environment variable that holds the sudo password. */
  becomePasswordEnv?: string;
  connectTimeoutMs?: number;
  retries?: number;
}
