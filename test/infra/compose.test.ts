/**
 * docker-compose.yml and Dockerfile are for users and no Docker engine runs in CI, so they are checked
 * by reading them: the structure Compose needs, every reference resolving, and every command using
 * flags the osqsim CLI really has (read from the registered commander program, not from a copy).
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { Command } from 'commander';
import { buildProgram } from '../../cli/index.js';

const root = join(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');

interface HealthCheck { test: string[] | string; interval?: string; retries?: number }
interface Service {
  image?: string;
  build?: { context: string; dockerfile?: string } | string;
  command?: string[] | string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: HealthCheck;
  ports?: string[];
  expose?: string[];
  profiles?: string[];
  configs?: { source: string; target: string }[];
  volumes?: string[];
  deploy?: { replicas?: number | string };
}
interface Compose {
  services: Record<string, Service>;
  configs?: Record<string, { content?: string; file?: string }>;
  volumes?: Record<string, unknown>;
}

// Compose resolves YAML merge keys (`<<: *osqsim`); so must the parser.
const compose = parse(composeText, { merge: true }) as Compose;
const services = compose.services;

/** Replaces `${VAR:-default}` by its default, as Compose does when VAR is unset. */
function withDefaults(text: string): string {
  return text.replace(/\$\{(\w+):-([^}]*)\}/g, (_whole, _name: string, fallback: string) => fallback);
}

function commandOf(name: string): string[] {
  const command = services[name]?.command;
  expect(Array.isArray(command), `services.${name}.command is a list (exec form, no shell)`).toBe(true);
  return (command as string[]).map((part) => withDefaults(String(part)));
}

function flagValue(argv: readonly string[], flag: string): string | undefined {
  const index = argv.indexOf(flag);
  return index >= 0 ? argv[index + 1] : undefined;
}

/** The commander command reached by the words of argv (`bench checkin` → the checkin sub-command). */
function findCommand(program: Command, argv: readonly string[]): { command: Command; rest: string[] } | undefined {
  let command = program;
  let index = 0;
  for (; index < argv.length; index++) {
    const next = command.commands.find((sub) => sub.name() === argv[index] || sub.aliases().includes(argv[index]!));
    if (!next) break;
    command = next;
  }
  return command === program ? undefined : { command, rest: argv.slice(index) };
}

describe('docker-compose.yml', () => {
  it('has the deployment of DESIGN §7: MySQL, N servers, a load balancer and a simulator', () => {
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['mysql', 'server', 'lb', 'simulator']));
    expect(services.server!.deploy?.replicas, 'server replicas').toBeDefined();
    expect(Number(withDefaults(String(services.server!.deploy!.replicas)))).toBeGreaterThanOrEqual(2);
    // Replicas cannot share a host port: only the load balancer publishes one.
    expect(services.server!.ports).toBeUndefined();
    expect(services.lb!.ports?.length).toBe(1);
  });

  it('gives every service an image or a build whose Dockerfile exists', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.image !== undefined || service.build !== undefined, `${name} has image or build`).toBe(true);
      if (service.build !== undefined) {
        const build = typeof service.build === 'string' ? { context: service.build } : service.build;
        const dockerfile = join(root, build.context, build.dockerfile ?? 'Dockerfile');
        expect(existsSync(dockerfile), `${name}: ${dockerfile} exists`).toBe(true);
      }
    }
  });

  it('depends only on services that exist, and waits for health only where there is a healthcheck', () => {
    for (const [name, service] of Object.entries(services)) {
      const dependsOn = service.depends_on ?? {};
      const entries = Array.isArray(dependsOn)
        ? dependsOn.map((target) => [target, { condition: 'service_started' }] as const)
        : Object.entries(dependsOn);
      for (const [target, { condition }] of entries) {
        expect(services[target], `${name} depends on ${target}`).toBeDefined();
        expect(['service_started', 'service_healthy', 'service_completed_successfully']).toContain(condition);
        if (condition === 'service_healthy') {
          expect(services[target]!.healthcheck, `${target} needs a healthcheck for ${name}`).toBeDefined();
        }
      }
    }
  });

  it('has healthchecks on the long-running services', () => {
    for (const name of ['mysql', 'server', 'lb']) {
      const check = services[name]!.healthcheck;
      expect(check, `${name}.healthcheck`).toBeDefined();
      const test = Array.isArray(check!.test) ? check!.test : ['CMD-SHELL', check!.test];
      expect(['CMD', 'CMD-SHELL']).toContain(test[0]);
      expect(test.length).toBeGreaterThan(1);
    }
    // The server's healthcheck must hit the port the server listens on.
    const serverArgv = commandOf('server');
    const port = flagValue(serverArgv, '--port');
    expect(JSON.stringify(services.server!.healthcheck!.test)).toContain(`127.0.0.1:${port}/`);
  });

  it('gives every ${VAR} a default but the API token, which must be set (with a message), and escapes the $ of nginx variables', () => {
    const references = [...composeText.matchAll(/\$\{([^}]*)\}/g)].map((match) => match[1]!);
    expect(references.length).toBeGreaterThan(0);
    for (const reference of references) {
      if (reference.startsWith('OSQSIM_API_TOKEN')) expect(reference).toMatch(/^OSQSIM_API_TOKEN:\?\S.*OSQSIM_API_TOKEN/);
      else expect(reference, `\${${reference}} has a :- default`).toMatch(/^\w+:-/);
    }
    // A lone `$name` would be interpolated by Compose (to empty); nginx variables must be written `$$name`.
    const bare = composeText.replace(/\$\$/g, '').replace(/\$\{[^}]*\}/g, '');
    expect(bare).not.toMatch(/\$\w/);
  });

  it('points the server at MySQL with a URL the server accepts, matching the mysql service', () => {
    const store = flagValue(commandOf('server'), '--store');
    expect(store).toMatch(/^mysql:\/\/[^:@/]+(:[^@/]*)?@[^:/]+:\d+\/\w+$/);
    const url = new URL(store!);
    const env = services.mysql!.environment!;
    expect(services[url.hostname], `host ${url.hostname} is a service`).toBeDefined();
    expect(url.port).toBe('3306');
    expect(url.pathname.slice(1)).toBe(env.MYSQL_DATABASE);
    expect(decodeURIComponent(url.username)).toBe(env.MYSQL_USER);
    expect(decodeURIComponent(url.password)).toBe(withDefaults(env.MYSQL_PASSWORD!));
  });

  it('routes the load balancer to the server port, and the clients to the load balancer', () => {
    const port = flagValue(commandOf('server'), '--port');
    const lbConfig = services.lb!.configs![0]!;
    const content = compose.configs?.[lbConfig.source]?.content;
    expect(content, `configs.${lbConfig.source}.content`).toBeDefined();
    expect(content).toContain(`server server:${port};`);
    const listen = /listen (\d+);/.exec(content!)?.[1];
    expect(withDefaults(services.lb!.ports![0]!)).toMatch(new RegExp(`:${listen}$`));
    expect(flagValue(commandOf('simulator'), '--target')).toBe(`http://lb:${listen}`);
    expect(flagValue(commandOf('bench'), '--target')).toBe(`http://lb:${listen}`);
    // The enroll secret the clients send is one the server accepts.
    const secret = flagValue(commandOf('server'), '--enroll-secret');
    expect(flagValue(commandOf('simulator'), '--enroll-secret')).toBe(secret);
    expect(flagValue(commandOf('bench'), '--enroll-secret')).toBe(secret);
  });

  it('declares the named volumes and configs it uses', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) {
          expect(compose.volumes?.[source], `${name}: volume ${source} declared`).toBeDefined();
        }
      }
      for (const config of service.configs ?? []) expect(compose.configs?.[config.source]).toBeDefined();
    }
  });

  for (const name of ['server', 'simulator', 'bench']) {
    it(`runs services.${name} with a command and flags the osqsim CLI has`, async () => {
      const program = await buildProgram();
      const argv = commandOf(name);
      const found = findCommand(program, argv);
      expect(found, `services.${name}: "osqsim ${argv[0]}" is a registered command`).toBeDefined();
      const known = new Set(found!.command.options.flatMap((option) => [option.long, option.short]).filter(Boolean));
      for (const word of found!.rest.filter((part) => part.startsWith('-'))) {
        expect(known.has(word), `services.${name}: osqsim ${found!.command.name()} has ${word}`).toBe(true);
      }
    });
  }
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  const dockerignore = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim());

  it('builds on Node 20 and installs from the lockfile', () => {
    const engines = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { engines: { node: string } }).engines;
    expect(engines.node).toMatch(/^>=20/);
    expect(dockerfile).toMatch(/^FROM node:20[-.\w]*/m);
    expect(dockerfile).toMatch(/COPY package\.json package-lock\.json/);
    expect(dockerfile).toMatch(/npm ci/);
  });

  it('starts the osqsim entry that exists, listening on all interfaces', () => {
    const entrypoint = /^ENTRYPOINT (\[.*\])$/m.exec(dockerfile)?.[1];
    const argv = JSON.parse(entrypoint!) as string[];
    expect(argv[0]).toBe('node');
    expect(existsSync(join(root, argv[1]!.replace(/^\/app\//, '')))).toBe(true);
    expect(dockerfile).toMatch(/^CMD \["server", "--host", "0\.0\.0\.0"/m);
  });

  it('gives the server replicas one API token, which they need on 0.0.0.0', () => {
    expect(flagValue(commandOf('server'), '--host')).toBe('0.0.0.0');
    expect(services.server!.environment?.OSQSIM_API_TOKEN).toMatch(/^\$\{OSQSIM_API_TOKEN:\?/);
  });

  it('keeps node_modules and local results out of the build context', () => {
    for (const entry of ['node_modules', 'runs', '.git', 'dist']) expect(dockerignore).toContain(entry);
  });
});
