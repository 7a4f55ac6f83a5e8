// `npm start`: runs rulebot until SIGTERM or SIGINT.
import { RulebotError } from '../../errors.js';
import { startServer } from './server.js';

// A closed log pipe (the reader went away) must not stop the bot: events are stored and go on.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
});

try {
  const server = await startServer({ env: process.env });
  const stop = async (signal: string) => {
    console.error(JSON.stringify({ level: 'info', time: new Date().toISOString(), msg: 'stopping', signal }));
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
} catch (error) {
  if (error instanceof RulebotError) {
    console.error(`rulebot: cannot start:\n${error.message}`);
    process.exit(1);
  }
  throw error;
}
