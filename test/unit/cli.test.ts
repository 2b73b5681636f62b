import { describe, expect, it } from 'vitest';
import { buildCli, main } from '../../src/cli.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (line: string) => out.push(line), err: (line: string) => err.push(line) } };
}

describe('mailroom CLI', () => {
  it('has a migrate command', () => {
    expect(buildCli().commands.map((command) => command.name())).toContain('migrate');
  });

  it('migrate without DATABASE_URL explains and exits 2', async () => {
    const { out, err, io } = capture();
    const code = await main(['node', 'mailroom', 'migrate'], { ...io, env: {} });
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err.join('\n')).toMatch(/DATABASE_URL is not set/);
  });

  it('an unknown command exits non-zero with commander’s message', async () => {
    const { err, io } = capture();
    const code = await main(['node', 'mailroom', 'nope'], { ...io, env: {} });
    expect(code).toBe(1);
    expect(err.join('\n')).toMatch(/unknown command 'nope'/);
  });

  it('a bad option value of a subcommand exits 1 through main’s return value, never process.exit', async () => {
    const { out, err, io } = capture();
    const code = await main(['node', 'mailroom', 'audit', '--limit', '0'], { ...io, env: {} });
    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err[0]).toBe("error: option '--limit <n>' argument '0' is invalid. expected a whole number from 1 to 10000000");
    // Under vitest a process.exit call throws; main would then have printed that error's stack.
    expect(err.join('\n')).not.toMatch(/process\.exit/);
  });
});
