/**
 * Starts Debian's PostgreSQL 15 (`/usr/lib/postgresql/15/bin`) on 127.0.0.1 and a free port,
 * with a fresh cluster in a temp dir: `initdb` with trust auth for the `postgres` superuser, no
 * Unix socket, `fsync=off` (only an OS crash would need it; a killed server recovers from its
 * own WAL). `initdb` refuses to run as root, so as root the cluster belongs to the `postgres`
 * user and every server command runs through `runuser -u postgres`.
 *
 * With `tls`, the server also speaks TLS with a certificate from a fresh test CA (`caFile`).
 *
 * `crash()` is `pg_ctl stop -m immediate` (no checkpoint: the next start replays its WAL, like
 * after kill -9); `start()` starts the same cluster again on the same port; `stop()` stops it
 * and deletes the dir.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './redis-server.js';

const run = promisify(execFile);
const BIN = '/usr/lib/postgresql/15/bin';
const START_TIMEOUT_S = 30;
const START_TRIES_MAX = 4;

export interface PostgresServerOptions {
  /** Serve TLS (`ssl=on`) with a certificate for 127.0.0.1/localhost signed by a fresh test CA. */
  readonly tls?: boolean;
}

export interface PostgresServer {
  readonly port: number;
  /** With `tls`: the PEM of the CA that signed the server's certificate. */
  readonly caFile?: string;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` */
  readonly url: string;
  /** The URL of another database on this server (create it with `createDatabase`). */
  urlOf(database: string): string;
  createDatabase(name: string): Promise<string>;
  /** A new empty database with a unique name; answers its URL. */
  newDatabase(): Promise<string>;
  /** Crash-stop (`-m immediate`): clients see their connections cut. */
  crash(): Promise<void>;
  /** Starts the (crashed or stopped) cluster again on the same port. */
  start(): Promise<void>;
  /** Stops the server and deletes its directory. */
  stop(): Promise<void>;
}

async function asOwner(args: readonly string[], asPostgres: boolean): Promise<string> {
  const [cmd, ...rest] = args as [string, ...string[]];
  const { stdout } = asPostgres ? await run('runuser', ['-u', 'postgres', '--', cmd, ...rest]) : await run(cmd, rest);
  return stdout;
}

/** Runs one statement (or a script, without params) on a fresh connection; answers the rows. */
export async function queryRows<T extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client(url);
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** A CA and a server certificate for 127.0.0.1 and localhost (EC P-256, valid 1 day). */
async function makeCertificates(dir: string): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const at = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '1', '-subj', '/CN=shopstream test CA']);
  await run('openssl', ['req', ...ec, '-keyout', at('server.key'), '-out', at('server.csr'), '-subj', '/CN=localhost']);
  await writeFile(at('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', ['x509', '-req', '-in', at('server.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial', '-out', at('server.crt'), '-days', '1', '-extfile', at('server.ext')]);
  await chmod(at('server.key'), 0o600);
  return { caFile: at('ca.pem'), certFile: at('server.crt'), keyFile: at('server.key') };
}

export async function startPostgresServer(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const asPostgres = process.getuid?.() === 0;
  const dir = await mkdtemp(join(tmpdir(), 'pg-'));
  const certificates = options.tls ? await makeCertificates(dir) : undefined;
  if (asPostgres) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    await chown(dir, uid, gid);
    if (certificates) for (const file of [certificates.certFile, certificates.keyFile]) await chown(file, uid, gid);
  }
  const data = join(dir, 'data');
  await asOwner([`${BIN}/initdb`, '-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'], asPostgres);
  let port = 0;
  const pgCtl = (...args: string[]) => asOwner([`${BIN}/pg_ctl`, '-D', data, ...args], asPostgres);
  const tlsOptions = certificates ? ` -c ssl=on -c ssl_cert_file=${certificates.certFile} -c ssl_key_file=${certificates.keyFile}` : '';
  const startOn = async (p: number) => {
    const options = `-p ${p} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c full_page_writes=off -c max_connections=50 -c shared_buffers=64MB${tlsOptions}`;
    await pgCtl('start', '-w', '-t', String(START_TIMEOUT_S), '-l', join(dir, 'server.log'), '-o', options);
  };
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < START_TRIES_MAX && port === 0; attempt++) {
    const candidate = await freePort();
    try {
      await startOn(candidate);
      port = candidate;
    } catch (error) {
      lastError = error as Error; // another process took the port in between: try another
    }
  }
  if (port === 0) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`postgres did not start after ${START_TRIES_MAX} tries: ${lastError?.message}`);
  }
  const urlOf = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  let databases = 0;
  const createDatabase = async (name: string) => {
    await queryRows(urlOf('postgres'), `CREATE DATABASE "${name}"`);
    return urlOf(name);
  };
  return {
    port,
    ...(certificates ? { caFile: certificates.caFile } : {}),
    url: urlOf('postgres'),
    urlOf,
    createDatabase,
    newDatabase: () => createDatabase(`db_${++databases}`),
    async crash() {
      await pgCtl('stop', '-m', 'immediate', '-w');
    },
    async start() {
      await startOn(port);
    },
    async stop() {
      await pgCtl('stop', '-m', 'fast', '-w').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
