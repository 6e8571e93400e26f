import { z } from 'zod';
import { GuestId, IsoDateTime, Tags, TenantId } from './common.ts';
import { servicePolicyVariants } from './service.ts';

export const Tenant = z.strictObject({
  id: TenantId,
  name: z.string().min(1).max(200),
  createdAt: IsoDateTime,
});
export type Tenant = z.infer<typeof Tenant>;

const AbsolutePath = z
  .string()
  .min(2)
  .max(4096)
  .refine((p) => p.startsWith('/') && !p.split('/').includes('..'), 'must be an absolute path without ".."');

const Hostname = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?$/, 'not a hostname');

/** Where a guest lives and how its disks are reached. One variant per connector. */
export const LocalConnectorRef = z.strictObject({
  connector: z.literal('local'),
  disks: z.array(AbsolutePath).min(1).max(32),
});
export const Ec2ConnectorRef = z.strictObject({
  connector: z.literal('aws-ec2'),
  instanceId: z.string().regex(/^i-[0-9a-f]{8,17}$/, 'not an EC2 instance id'),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
    .optional(),
});
export const ConnectorRef = z.discriminatedUnion('connector', [LocalConnectorRef, Ec2ConnectorRef]);
export type ConnectorRef = z.infer<typeof ConnectorRef>;
export type ConnectorKind = ConnectorRef['connector'];

const GuestIdentity = {
  name: z.string().trim().min(1).max(200),
  hostnames: z.array(Hostname).max(32).default([]),
  addresses: z
    .array(z.union([z.ipv4(), z.ipv6()]))
    .max(32)
    .default([]),
  tags: Tags,
};

/** The connector part of a guest: what a connector needs to reach its disks. */
export function connectorRefOf(guest: Guest): ConnectorRef {
  return guest.connector === 'local'
    ? { connector: 'local', disks: guest.disks }
    : {
        connector: 'aws-ec2',
        instanceId: guest.instanceId,
        ...(guest.region ? { region: guest.region } : {}),
      };
}

export const RegisterGuestRequest = z.discriminatedUnion('connector', [
  LocalConnectorRef.extend(GuestIdentity),
  Ec2ConnectorRef.extend(GuestIdentity),
]);
export type RegisterGuestRequest = z.infer<typeof RegisterGuestRequest>;

const GuestRecordBase = {
  tenantId: TenantId,
  id: GuestId,
  ...GuestIdentity,
  createdAt: IsoDateTime,
};
export const Guest = z.discriminatedUnion('connector', [
  LocalConnectorRef.extend(GuestRecordBase),
  Ec2ConnectorRef.extend(GuestRecordBase),
]);
export type Guest = z.infer<typeof Guest>;

export const Subscription = z.discriminatedUnion(
  'service',
  servicePolicyVariants({
    tenantId: TenantId,
    guestId: GuestId,
    enabledAt: IsoDateTime,
    updatedAt: IsoDateTime,
  }),
);
export type Subscription = z.infer<typeof Subscription>;
