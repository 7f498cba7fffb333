/**
 * One progress line on stderr: rewritten in place on a terminal, else printed at most every
 * `intervalMs` (logs of a job runner stay short). Never on stdout, which carries the final JSON.
 */
export interface Progress {
  update(line: string): void;
  done(line: string): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, intervalMs = 2000, nowMs = Date.now): Progress {
  let lastMs = 0;
  const tty = stream.isTTY === true;
  return {
    update(line) {
      const now = nowMs();
      if (now - lastMs < (tty ? 100 : intervalMs)) return;
      lastMs = now;
      stream.write(tty ? `\r\x1b[2K${line}` : `${line}\n`);
    },
    done(line) {
      stream.write(tty ? `\r\x1b[2K${line}\n` : `${line}\n`);
    },
  };
}
