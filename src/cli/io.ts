/** What a command may touch of the outside world, passed in so tests can capture it. */
export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  now: () => Date;
  env: NodeJS.ProcessEnv;
}

export const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
  now: () => new Date(),
  env: process.env,
};
