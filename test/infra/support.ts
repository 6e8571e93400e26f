/** Helpers for the infra tests: building the app per estate and reading the synthesized template. */
import type { CfnResource } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp, type OutboardStack } from '../../infra/app.ts';

export const INTERNAL_CONTEXT = { estate: 'internal' } as const;
export const PROVIDER_CONTEXT = {
  estate: 'provider',
  jwtIssuer: 'https://login.example.com/outboard/',
  jwtAudience: ['outboard-portal', 'outboard-cli'],
  // Not the default: the claim must reach the functions' environment and the receipt route's mapping. (A
  // Cognito-style `custom:tenant` cannot be mapped by API Gateway; see test/infra/receipts.test.ts.)
  tenantClaim: 'org_tenant',
} as const;

export interface CfnTemplateResource {
  Type: string;
  Properties: Record<string, unknown>;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}

export interface Built {
  stack: OutboardStack;
  template: Template;
  resources: Record<string, CfnTemplateResource>;
  /** Logical id of a construct's CloudFormation resource (the construct itself or its default child). */
  id(construct: IConstruct): string;
  ofType(type: string): [string, CfnTemplateResource][];
}

/** Builds the app exactly as `cdk synth` does (cdk-nag included) and synthesizes the stack once. */
export function build(context: Record<string, unknown>): Built {
  const { stack } = buildApp({ ...context });
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<string, CfnTemplateResource>;
  return {
    stack,
    template,
    resources,
    id: (construct) =>
      stack.getLogicalId((construct.node.defaultChild ?? construct) as CfnResource) as string,
    ofType: (type) => Object.entries(resources).filter(([, r]) => r.Type === type),
  };
}

export const ref = (logicalId: string) => ({ Ref: logicalId });
export const arnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

export interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

/** A copy: sorting it must not change the (cached) template. */
export const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? [...s.Action] : [s.Action]);
export const resourcesOf = (s: Statement) => (Array.isArray(s.Resource) ? [...s.Resource] : [s.Resource]);

/** Every statement of every policy attached to the role with this logical id. */
export function statementsOfRole(built: Built, roleId: string): Statement[] {
  return built
    .ofType('AWS::IAM::Policy')
    .filter(([, p]) =>
      (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify(ref(roleId))),
    )
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}
