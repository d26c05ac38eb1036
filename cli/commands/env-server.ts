/**
 * `planarena env-server`: the simulator over WebSocket + MessagePack for training loops in other
 * languages (interop/EnvServer.ts; protocol in docs/interop.md). Runs until Ctrl-C.
 */
import type { Command } from '../main.ts';
import { choiceFlag, intFlag, parseFlags } from '../args.ts';
import { UserError } from '../../core/errors.ts';
import { catalogOf } from '../../interop/EnvSession.ts';
import { DEFAULT_ENV_PORT, startEnvServer } from '../../interop/EnvServer.ts';
import { loadScenario, loadSuite } from '../../scenarios/load.ts';
import { LIDAR_METHODS, type PhysicsFlavor } from '../../sim/types.ts';

const PHYSICS: readonly PhysicsFlavor[] = ['deterministic', 'fast'];

const USAGE = `usage: planarena env-server [--port ${DEFAULT_ENV_PORT}] [--host 127.0.0.1] [--scenarios FILES] [flags]

Serves planarena's simulator to training loops in any language: each WebSocket connection is an
independent session answering reset {scenario | suite, seed} and step {action} (Gymnasium's
reset/step, MessagePack frames; protocol in docs/interop.md, Python client in
examples/planarena_env.py). The same scenario, seed and actions give the same observations,
rewards and trajectory hash as \`planarena run\`.

  --port N           port (default ${DEFAULT_ENV_PORT}; 0 picks a free one, printed on start)
  --host H           interface to bind (default 127.0.0.1; anything else is reachable from the network)
  --scenarios a,b    scenario files (or ids) clients may reset into by id, besides the shipped ones
  --physics F        deterministic (default) | fast
  --lidar M          analytic (default) | rapier
  --max-sessions N   concurrent sessions (default 16); more clients are turned away`;

export const command: Command = {
  name: 'env-server',
  summary: 'serve the simulator to training loops in other languages (reset/step over WebSocket)',
  usage: USAGE,
  async run(argv) {
    const { values } = parseFlags('env-server', argv, {
      port: { type: 'string' },
      host: { type: 'string' },
      scenarios: { type: 'string' },
      physics: { type: 'string' },
      lidar: { type: 'string' },
      'max-sessions': { type: 'string' },
    }, false);
    const port = intFlag('port', values.port, DEFAULT_ENV_PORT, 0);
    if (port > 65535) throw new UserError('E_BAD_FLAG', `--port must be at most 65535, got ${port}.`);
    const extra = (values.scenarios ?? '').split(',').map((s) => s.trim()).filter(Boolean).map((s) => loadScenario(s));
    const host = values.host ?? '127.0.0.1';
    let server;
    try {
      server = await startEnvServer({
        port,
        host,
        physics: choiceFlag('physics', values.physics, PHYSICS, 'deterministic'),
        lidar: choiceFlag('lidar', values.lidar, LIDAR_METHODS, 'analytic'),
        catalog: catalogOf({ loadScenario, loadSuite }, extra),
        maxSessions: intFlag('max-sessions', values['max-sessions'], 16, 1),
        log: (line) => process.stderr.write(`${line}\n`),
      });
    } catch (e) {
      if ((e as { code?: string }).code === 'EADDRINUSE') throw new UserError('E_PORT_IN_USE', `--port ${port}: ${host}:${port} is in use; pass another --port (0 picks a free one).`);
      throw e;
    }
    console.log(`planarena env server: ${server.url}  (Ctrl-C to stop)`);
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
