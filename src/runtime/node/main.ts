// `npm start`: runs rulebot until SIGTERM or SIGINT.
import { RulebotError } from '../../errors.js';
import { startServer } from './server.js';

// A closed log pipe (the reader went away) must not stop the bot: events are stored and go on.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

// Signals are handled from the start: a process still waiting for DATA_DIR (or for GitLab) gives up and exits 0.
const stopping = new AbortController();
const started = startServer({ env: process.env, signal: stopping.signal });

const stop = async (signal: string) => {
  console.error(JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'stopping', signal }));
  stopping.abort();
  const server = await started.catch(() => undefined);
  await server?.close();
  process.exit(0);
};
process.once('SIGTERM', () => void stop('SIGTERM'));
process.once('SIGINT', () => void stop('SIGINT'));

try {
  await started;
} catch (error) {
  if (!stopping.signal.aborted) {
    if (!(error instanceof RulebotError)) throw error;
    // One line when the reason is one line (DATA_DIR in use), else the lines under a heading.
    console.error(`rulebot: cannot start:${error.message.includes('\n') ? '\n' : ' '}${error.message}`);
    process.exit(1);
  }
}
