/** What the postgres_role and postgres_db modules share: psql invocation, SQL quoting, verifiers. */
export { quoteIdent, quoteLiteral } from './quote.js';
export { passwordMatches, saslprep, scramVerifier } from './scram.js';
export { parsePsqlProbe, pgNotReadyText, psqlApplyScript, psqlProbe, PSQL, PG_READY_CHECK } from './psql.js';
export type { PgProbe, PgStatus } from './psql.js';

/** Ids that bring PostgreSQL to a host; required automatically when they are declared. */
export const POSTGRES_PROVIDERS = ['pkg:postgresql', 'service:postgresql'];
