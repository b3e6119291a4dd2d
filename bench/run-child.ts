/**
 * Runs a bench child: a fresh Node process with a big heap and a time limit that prints one
 * JSON line last. Callers judge the outcome; this only collects it.
 */
import { spawn } from 'node:child_process';

export const CHILD_HEAP_MB = 4096;

export interface ChildRun<T> {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The last stdout line as JSON, when it parses. */
  parsed: T | undefined;
  /** The last 8 KiB of stderr: a crashing peer can print a lot. */
  stderr: string;
}

export function runJsonChild<T>(args: string[], timeoutMs: number, env: NodeJS.ProcessEnv = process.env): Promise<ChildRun<T>> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${CHILD_HEAP_MB}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8192)));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      let parsed: T | undefined;
      try {
        parsed = JSON.parse(last) as T;
      } catch {
        parsed = undefined;
      }
      done({ code, signal, timedOut, parsed, stderr });
    });
  });
}
