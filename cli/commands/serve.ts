/**
 * `planarena serve`: the viewer for recorded runs (replay, head-to-head, results page) and the
 * stream endpoint, on one port. Runs until Ctrl-C.
 */
import type { Command } from '../main.ts';
import { intFlag, parseFlags } from '../args.ts';
import { existsSync } from 'node:fs';
import { UserError } from '../../core/errors.ts';

const USAGE = `usage: planarena serve [--runs DIR] [--port 8080] [--host 127.0.0.1] [--token T] [--no-teaching]

Serves the live viewer: replay of recorded run directories (play, seek, speed, timeline),
head-to-head views, and the results page with charts.

  --port N        port for HTTP and the WebSocket stream (default 8080; 0 picks a free one)
  --host H        interface to bind (default 127.0.0.1; anything else is reachable from the network
                  and then requires the access token printed in the URL)
  --runs DIR      folder holding run directories, or one run directory (default ./runs)
  --token T       access token to require (default: a random one off loopback, none on it)
  --no-teaching   refuse shove/drop requests from viewers`;

export const command: Command = {
  name: 'serve',
  summary: 'serve the viewer and the live stream',
  usage: USAGE,
  async run(argv) {
    const { values, positionals } = parseFlags('serve', argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      runs: { type: 'string' },
      token: { type: 'string' },
      'no-teaching': { type: 'boolean' },
    });
    if (positionals.length > 0) {
      const path = positionals[0];
      throw new UserError('E_BAD_ARG', `serve takes the runs to show as a flag: planarena serve --runs ${/^[\w@%+=:,./-]+$/.test(path) ? path : JSON.stringify(path)} (a run directory or a folder of them).`);
    }
    if (values.runs !== undefined && !existsSync(values.runs)) {
      throw new UserError('E_FILE_NOT_FOUND', `--runs ${values.runs}: no such folder; give a run directory or a folder of them (default ./runs).`);
    }
    const port = intFlag('port', values.port, 8080, 0);
    if (port > 65535) throw new UserError('E_BAD_FLAG', `--port must be at most 65535, got ${port}.`);
    if (values.token !== undefined && !/^[A-Za-z0-9_-]{16,128}$/.test(values.token)) {
      throw new UserError('E_BAD_FLAG', '--token must be 16 to 128 letters, digits, "-" or "_" (it travels in a URL and a cookie).');
    }
    const { startLiveServer } = await import('../../viewer/server/LiveServer.ts');
    let server;
    try {
      server = await startLiveServer({ port, host: values.host ?? '127.0.0.1', runsDir: values.runs ?? 'runs', teaching: !values['no-teaching'], mode: 'serve', ...(values.token ? { token: values.token } : {}) });
    } catch (e) {
      if ((e as { code?: string }).code === 'EADDRINUSE') throw new UserError('E_PORT_IN_USE', (e as Error).message);
      throw e;
    }
    console.log(`planarena viewer: ${server.url}  (runs from ${values.runs ?? 'runs'}; Ctrl-C to stop)`);
    await new Promise<void>((done) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        void server.close().then(done);
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    return 0;
  },
};
