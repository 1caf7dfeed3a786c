// docker-compose.yml's Prometheus scrapes what the compose file serves: the API's port and the worker's METRICS_PORT,
// with the METRICS_TOKEN both are given, through the token file its start command writes.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../../src/config.ts';

// Compose's ${VAR:-default} read as its default, as `docker compose up` does with nothing set.
const read = (file: string) =>
  parse(readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8').replace(/\$\{\w+:-([^}]*)\}/g, '$1'), {
    merge: true,
  });
const compose = read('docker-compose.yml');
const prometheus = read('prometheus.yml');

describe('Prometheus in docker-compose', () => {
  it('runs Prometheus with prometheus.yml, after the API and the worker', () => {
    const p = compose.services.prometheus;
    expect(p.volumes).toContain('./prometheus.yml:/etc/prometheus/prometheus.yml:ro');
    expect(p.command.join(' ')).toContain('--config.file=/etc/prometheus/prometheus.yml');
    expect(p.depends_on).toEqual(['api', 'worker']);
  });

  it("scrapes the API's port and the worker's metrics port, each a valid configuration", () => {
    const { api, worker } = compose.services;
    const targets = Object.fromEntries(
      prometheus.scrape_configs.map((c: any) => [c.job_name, c.static_configs[0].targets[0]]),
    );
    expect(targets['ceasefire-api']).toBe(`api:${api.environment.PORT}`);
    expect(targets['ceasefire-worker']).toBe(`worker:${worker.environment.METRICS_PORT}`);
    // What the containers get: every value a string.
    const envOf = (e: Record<string, unknown>) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, String(v)]));
    for (const env of [api.environment, worker.environment]) expect(loadConfig(envOf(env)).METRICS_TOKEN).toBeDefined();
    expect(loadConfig(envOf(worker.environment)).METRICS_PORT).toBe(9464);
  });

  it('gives Prometheus the token the services check, as a bearer token from the file it writes', () => {
    const { api, worker, prometheus: p } = compose.services;
    expect(p.environment.METRICS_TOKEN).toBe(api.environment.METRICS_TOKEN);
    expect(worker.environment.METRICS_TOKEN ?? api.environment.METRICS_TOKEN).toBe(api.environment.METRICS_TOKEN);
    for (const c of prometheus.scrape_configs) {
      expect(c.metrics_path).toBe('/metrics');
      expect(c.authorization.type).toBe('Bearer');
      expect(p.command.join(' ')).toContain(`> ${c.authorization.credentials_file}`);
    }
  });
});
