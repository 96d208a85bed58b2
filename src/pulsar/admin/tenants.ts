// Tenants and namespaces.
import type { AdminHttp } from './http.js';
import { isHttpStatus } from './http.js';

export interface TenantInfo {
  adminRoles: string[];
  allowedClusters: string[];
}

/** Pulsar's AuthAction. */
export type NamespaceAction = 'produce' | 'consume' | 'functions' | 'sources' | 'sinks' | 'packages';

export class Tenants {
  constructor(private readonly http: AdminHttp) {}

  list(): Promise<string[]> {
    return this.http.call('GET', '/admin/v2/tenants');
  }

  get(tenant: string): Promise<TenantInfo> {
    return this.http.call('GET', `/admin/v2/tenants/${enc(tenant)}`);
  }

  /** Creates the tenant on the given clusters (default: every cluster the broker knows). */
  async create(tenant: string, info: Partial<TenantInfo> = {}): Promise<void> {
    const allowedClusters = info.allowedClusters ?? (await this.http.call<string[]>('GET', '/admin/v2/clusters'));
    await this.http.call('PUT', `/admin/v2/tenants/${enc(tenant)}`, { adminRoles: info.adminRoles ?? [], allowedClusters });
  }

  /** Creates the tenant unless it exists; true when it was created. */
  async ensure(tenant: string): Promise<boolean> {
    return ignoreConflict(() => this.create(tenant));
  }

  async delete(tenant: string): Promise<void> {
    await this.http.call('DELETE', `/admin/v2/tenants/${enc(tenant)}`);
  }
}

export class Namespaces {
  constructor(private readonly http: AdminHttp) {}

  list(tenant: string): Promise<string[]> {
    return this.http.call('GET', `/admin/v2/namespaces/${enc(tenant)}`);
  }

  /** All policies of `tenant/namespace`. */
  policies(namespace: string): Promise<Record<string, unknown>> {
    return this.http.call('GET', `/admin/v2/namespaces/${namespace}`);
  }

  async create(namespace: string): Promise<void> {
    await this.http.call('PUT', `/admin/v2/namespaces/${namespace}`);
  }

  async ensure(namespace: string): Promise<boolean> {
    return ignoreConflict(() => this.create(namespace));
  }

  async delete(namespace: string, force = false): Promise<void> {
    await this.http.call('DELETE', `/admin/v2/namespaces/${namespace}?force=${force}`);
  }

  async setDeduplication(namespace: string, enabled: boolean): Promise<void> {
    await this.http.call('POST', `/admin/v2/namespaces/${namespace}/deduplication`, enabled);
  }

  async setRetention(namespace: string, retention: { retentionTimeInMinutes: number; retentionSizeInMB: number }): Promise<void> {
    await this.http.call('POST', `/admin/v2/namespaces/${namespace}/retention`, retention);
  }

  /** Lets `role` do `actions` (e.g. produce, consume) on every topic of `tenant/namespace`; replaces its previous grant. */
  async grantPermissions(namespace: string, role: string, actions: readonly NamespaceAction[]): Promise<void> {
    await this.http.call('POST', `/admin/v2/namespaces/${namespace}/permissions/${enc(role)}`, actions);
  }

  async revokePermissions(namespace: string, role: string): Promise<void> {
    await this.http.call('DELETE', `/admin/v2/namespaces/${namespace}/permissions/${enc(role)}`);
  }

  /** Role → actions granted on the namespace. */
  permissions(namespace: string): Promise<Record<string, NamespaceAction[]>> {
    return this.http.call('GET', `/admin/v2/namespaces/${namespace}/permissions`);
  }

  async setCompactionThreshold(namespace: string, bytes: number): Promise<void> {
    await this.http.call('PUT', `/admin/v2/namespaces/${namespace}/compactionThreshold`, bytes);
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

/** Runs a create call; a 409 (already exists) is not an error. True when something was created. */
export async function ignoreConflict(create: () => Promise<void>): Promise<boolean> {
  try {
    await create();
    return true;
  } catch (err) {
    if (isHttpStatus(err, 409)) return false;
    throw err;
  }
}
