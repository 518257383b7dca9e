// Process and port helpers shared by the local test-registry modules (start.mjs, nginx.mjs,
// token-issuer.mjs): free loopback ports, child processes with log files, bounded readiness
// waits, and stop() that always ends the child (SIGTERM, then SIGKILL after a grace period).
import net from 'node:net';
import fs from 'node:fs';
import { spawn, execFileSync } from 'node:child_process';

/** A free TCP port on 127.0.0.1 (bind port 0, read it, close). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Fails with a clear message when a required executable is missing. */
export function requireTool(name, hint) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'pipe' });
  } catch {
    throw new Error(`required tool "${name}" not found on PATH${hint ? ` (${hint})` : ''}`);
  }
}

/**
 * Spawns `cmd args` with stdout+stderr appended to `logFile`; returns { child, stop }.
 * stop() resolves once the process has exited (SIGTERM, SIGKILL after `graceMs`).
 */
export function spawnLogged(cmd, args, { logFile, env, cwd, graceMs = 3000 } = {}) {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
  });
  fs.closeSync(out);
  let exited = false;
  const exitPromise = new Promise((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  child.once('error', () => { exited = true; });
  const stop = async () => {
    if (exited || child.exitCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => { if (!exited) child.kill('SIGKILL'); }, graceMs);
    await exitPromise;
    clearTimeout(timer);
  };
  // Never leave children behind when the test process dies.
  const onExit = () => { if (!exited) try { child.kill('SIGKILL'); } catch {} };
  process.once('exit', onExit);
  exitPromise.then(() => process.removeListener('exit', onExit));
  return { child, stop, exited: () => exited };
}

/** Polls `url` until it answers with a status in `okStatuses` or `timeoutMs` passes. */
export async function waitForHttp(url, { okStatuses = [200, 401], timeoutMs = 15000, child, logFile } = {}) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) {
      throw new Error(`process for ${url} exited with ${child.exitCode}; log: ${logFile}\n${tail(logFile)}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.arrayBuffer();
      if (okStatuses.includes(res.status)) return res;
      last = `status ${res.status}`;
    } catch (e) {
      last = e.message;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last}); log: ${logFile ?? '-'}\n${tail(logFile)}`);
}

function tail(file) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-15).join('\n');
  } catch {
    return '';
  }
}
