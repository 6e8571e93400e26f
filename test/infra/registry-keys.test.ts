/** infra builds the registry table from registry-keys.ts; the DynamoDB adapter has its own definition. */
import { describe, expect, it } from 'vitest';
import { MONITOR_STATE_INDEX } from '../../infra/constructs/access-grants.ts';
import { REGISTRY_GSI1, registryTableDefinition } from '../../shared/adapters/aws/dynamodb-registry.ts';
import { REGISTRY_INDEXES, REGISTRY_KEYS } from '../../shared/adapters/aws/registry-keys.ts';

describe('registry key schema', () => {
  it('is the one the DynamoDB registry adapter uses', () => {
    const d = registryTableDefinition;
    expect(REGISTRY_KEYS).toEqual({ partitionKey: d.partitionKey.name, sortKey: d.sortKey.name });
    expect([d.partitionKey.type, d.sortKey.type]).toEqual(['S', 'S']);
    expect(REGISTRY_INDEXES).toEqual(
      d.globalSecondaryIndexes.map((g) => ({
        indexName: g.indexName,
        partitionKey: g.partitionKey.name,
        ...(g.sortKey ? { sortKey: g.sortKey.name } : {}),
      })),
    );
    for (const g of d.globalSecondaryIndexes) {
      expect([g.partitionKey.type, g.sortKey?.type ?? 'S', g.projectionType]).toEqual(['S', 'S', 'ALL']);
    }
  });

  it('has the index the monitoring state lists last-seen times from (the grants name it)', () => {
    expect(MONITOR_STATE_INDEX).toBe(REGISTRY_GSI1);
    expect(REGISTRY_INDEXES.map((i) => i.indexName)).toContain(MONITOR_STATE_INDEX);
  });
});
