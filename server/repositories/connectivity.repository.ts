/** Storage of the last connectivity check: one result per endpoint, replaced whole by each run. */
import type { Db } from '../db/client.js';
import { connectivityResults } from '../db/schema.js';
import type { EndpointCheck } from '../domain/connectivity.js';

export class ConnectivityRepository {
  constructor(private readonly db: Db) {}

  saveConnectivity(results: EndpointCheck[]): void {
    this.db.transaction((tx) => {
      tx.delete(connectivityResults).run();
      for (const r of results) tx.insert(connectivityResults).values({ url: r.endpoint.url, result: r, checkedAt: r.checkedAt }).run();
    });
  }

  loadConnectivity(): EndpointCheck[] {
    return this.db
      .select()
      .from(connectivityResults)
      .all()
      .map((row) => {
        const r = row.result as EndpointCheck & { checkedAt: string };
        return { ...r, checkedAt: new Date(r.checkedAt) };
      });
  }
}
