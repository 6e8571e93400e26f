import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** `backup-requests` → `BackupRequests`: construct ids derived from topology names. */
export function pascalCase(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/**
 * A resource string as cdk-nag renders it in a finding id: pseudo parameters as `<AWS::Region>`, references as
 * `<LogicalId>` and attributes as `<LogicalId.Attribute>`.
 */
export function nagResource(scope: Construct, value: string): string {
  const render = (node: unknown): string => {
    if (typeof node === 'string') return node;
    if (node && typeof node === 'object') {
      const intrinsic = node as Record<string, unknown>;
      if ('Ref' in intrinsic) return `<${String(intrinsic.Ref)}>`;
      const getAtt = intrinsic['Fn::GetAtt'];
      if (Array.isArray(getAtt)) return `<${getAtt.join('.')}>`;
      const join = intrinsic['Fn::Join'];
      if (Array.isArray(join)) return (join[1] as unknown[]).map(render).join(String(join[0]));
    }
    return JSON.stringify(node);
  };
  return render(Stack.of(scope).resolve(value));
}
