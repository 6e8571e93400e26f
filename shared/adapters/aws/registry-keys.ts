/**
 * Key schema of the registry table (single-table design). Shared by infra (which creates the table) and the
 * DynamoDB registry adapter (which reads and writes it). Deliberately import-free: infra imports this file
 * and must not pull in the AWS SDK.
 */

/** Partition and sort key attribute names; both are strings. */
export const REGISTRY_KEYS = { partitionKey: 'pk', sortKey: 'sk' } as const;

/** A global secondary index: string key attributes, all attributes projected. */
export interface RegistryIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey?: string;
}

/**
 * Global secondary indexes of the registry table; infra creates exactly these. Must match
 * `registryTableDefinition` in dynamodb-registry.ts (test/infra checks that it does).
 */
export const REGISTRY_INDEXES: readonly RegistryIndexDefinition[] = [
  { indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
];

/**
 * Partition-key prefixes of the monitoring state's items in the same table
 * (shared/adapters/aws/dynamodb-monitor-state.ts); infra scopes its grants to them.
 */
export const MONITOR_STATE_PREFIXES = { claim: 'MONCLAIM#', rule: 'MONRULE#', seen: 'MONSEEN#' } as const;

/** The attribute DynamoDB's time to live reads (epoch seconds). */
export const TTL_ATTRIBUTE = 'expiresAt';
