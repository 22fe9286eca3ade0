/**
 * The history the dashboard reads, opened read-only once it exists: a SQLite file that no
 * `keel drift` has written yet is "no history yet" (the pages say so) until the first run
 * creates it, then it is opened on the next request; a PostgreSQL history is opened at start,
 * so that a wrong URL or password is an error at once rather than on every page.
 */
import { existsSync } from 'node:fs';
import type { History, HistoryLocation } from '../drift/history-backend.js';
import { describeLocation, openHistory } from '../drift/open-history.js';

export class HistorySource {
  private history: History | undefined;
  private opening: Promise<History> | undefined;

  private constructor(private readonly loc: HistoryLocation) {}

  static async open(loc: HistoryLocation): Promise<HistorySource> {
    const source = new HistorySource(loc);
    await source.get();
    return source;
  }

  /** Where it is, for the pages: a path, or a URL without its password. */
  get location(): string {
    return this.history?.location ?? describeLocation(this.loc);
  }

  /** The history, or undefined while its file does not exist. */
  async get(): Promise<History | undefined> {
    if (this.history) return this.history;
    if (this.loc.kind === 'sqlite' && !existsSync(this.loc.path)) return undefined;
    this.opening ??= openHistory(this.loc, { readonly: true }).finally(() => (this.opening = undefined));
    this.history = await this.opening;
    return this.history;
  }

  async close(): Promise<void> {
    await this.history?.close();
    this.history = undefined;
  }
}
