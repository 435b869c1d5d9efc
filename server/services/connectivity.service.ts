/** The connectivity check: every endpoint the appliance needs, checked step by step, results kept. */
import type { Endpoint, EndpointCheck } from '../domain/connectivity.js';
import type { ConnectivityRepository } from '../repositories/connectivity.repository.js';

export type Probe = (endpoint: Endpoint) => Promise<EndpointCheck>;

export class ConnectivityService {
  private running: Promise<EndpointCheck[]> | null = null;

  constructor(
    private readonly endpoints: () => Endpoint[],
    private readonly probe: Probe,
    private readonly repo: Pick<ConnectivityRepository, 'saveConnectivity' | 'loadConnectivity'>,
  ) {}

  /** The endpoints with their last results (unchecked ones have none yet). */
  report(): { endpoint: Endpoint; result: EndpointCheck | null }[] {
    const last = new Map(this.repo.loadConnectivity().map((r) => [r.endpoint.url, r]));
    return this.endpoints().map((endpoint) => ({ endpoint, result: last.get(endpoint.url) ?? null }));
  }

  /** Checks every endpoint now, and reports them as `report` does. */
  async runReport(): Promise<{ endpoint: Endpoint; result: EndpointCheck | null }[]> {
    return (await this.run()).map((result) => ({ endpoint: result.endpoint, result }));
  }

  /** Checks the endpoints one by one (a clear order in the log and no burst against one host). */
  run(): Promise<EndpointCheck[]> {
    this.running ??= (async () => {
      const results: EndpointCheck[] = [];
      for (const endpoint of this.endpoints()) results.push(await this.probe(endpoint));
      this.repo.saveConnectivity(results);
      return results;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }
}
