// A MariaDB server of the test's own, on its own port and data folder, that the test can kill and
// start again: the database disappearing under the app, for real. Needs Debian's mariadb-server
// binaries (mariadb-install-db, mariadbd), which .ci/run installs.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { freePort } from '../../src/lib/free-port.ts';

export interface SecondMariaDb {
  /** `mysql://root@127.0.0.1:PORT` (no database). */
  url: string;
  /** SIGKILL: the server vanishes mid-query, as in a crash or a network cut. */
  kill(): Promise<void>;
  /** Starts it again on the same data and port; resolves once it answers. */
  start(): Promise<void>;
  /** Starts it again unless it is running (for clean-ups after a failed test). */
  ensureRunning(): Promise<void>;
  destroy(): Promise<void>;
}

export async function startSecondMariaDb(): Promise<SecondMariaDb> {
  const dir = await mkdtemp(join(tmpdir(), 'mailroom-mariadb-'));
  const data = join(dir, 'data');
  const install = spawnSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${data}`, '--user=root', '--auth-root-authentication-method=normal', '--skip-test-db'],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr || install.stdout}`);
  const port = await freePort();
  let server: ChildProcess | undefined;

  const answers = async () => {
    try {
      const connection = await createConnection({ host: '127.0.0.1', port, user: 'root', connectTimeout: 500 });
      await connection.end();
      return true;
    } catch {
      return false;
    }
  };
  const start = async () => {
    server = spawn(
      '/usr/sbin/mariadbd',
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(dir, 'sock')}`,
        '--user=root',
        `--pid-file=${join(dir, 'pid')}`,
        '--skip-log-bin',
        '--innodb-buffer-pool-size=32M',
      ],
      { stdio: 'ignore' },
    );
    for (let waited = 0; waited < 30_000; waited += 100) {
      if (await answers()) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the second MariaDB did not answer on port ${port}`);
  };
  const kill = async () => {
    const running = server;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `mysql://root@127.0.0.1:${port}`,
    kill,
    start,
    ensureRunning: async () => {
      if (server?.exitCode === null && server.signalCode === null) return;
      await start();
    },
    async destroy() {
      await kill();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
