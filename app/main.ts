// The composition root: reads the configuration and starts the server with the application.

import { HttpServer, handleSignals } from '../server/server.js';
import { ConfigError, helpText, parseConfig, type Config } from './config.js';
import { helloApp } from './hello.js';

function serverOptions(config: Config) {
  return {
    host: config.host,
    port: config.port,
    accessLog: config.accessLog,
    trace: config.trace,
    limits: {
      maxRequestLineBytes: config.maxRequestLine,
      maxHeaderBytes: config.maxHeaderBytes,
      maxHeaderCount: config.maxHeaderCount,
      maxBodyBytes: config.maxBody,
    },
    timeouts: {
      headersTimeoutMs: config.headersTimeout,
      keepAliveTimeoutMs: config.keepAliveTimeout,
      bodyTimeoutMs: config.bodyTimeout,
      shutdownTimeoutMs: config.shutdownTimeout,
    },
    connectionLimits: { maxConnections: config.maxConnections },
    websocket: { maxMessageBytes: config.wsMaxMessage, pingIntervalMs: config.wsPingInterval },
  };
}

async function main(): Promise<void> {
  let config: Config | 'help';
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`rawpi: ${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  if (config === 'help') {
    process.stdout.write(helpText());
    return;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const server = new HttpServer(helloApp, { ...serverOptions(config), log });
  const { url } = await server.start();
  log(`rawpi listening on ${url} (Ctrl+C to stop)`);
  handleSignals(server, log, () => undefined);
}

void main();
