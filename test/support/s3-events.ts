/** Events of S3 as EventBridge delivers them, for tests of the watched-bucket trigger. */

/** An event shaped as S3 sends it through EventBridge, with the fields the scan does not use. */
export function s3ObjectCreated(
  overrides: { bucket?: string; key?: string; size?: number; etag?: string } = {},
) {
  return {
    version: '0',
    id: '5d2c7c71-6f3a-4a8e-9a41-0c9e8f2b1d11',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '111122223333',
    time: '2026-03-04T05:06:07Z',
    region: 'eu-west-1',
    resources: [`arn:aws:s3:::${overrides.bucket ?? 'tenant-uploads'}`],
    detail: {
      version: '0',
      bucket: { name: overrides.bucket ?? 'tenant-uploads' },
      object: {
        key: overrides.key ?? 'incoming/report 2026.pdf',
        size: overrides.size ?? 68,
        etag: overrides.etag ?? '44d88612fea8a8f36de82e1278abb02f',
        'version-id': 'Zq3lT1xZ.0zX9A_ZrZbq8iV6tLw7yF2k',
        sequencer: '0062E99A88DC407460',
      },
      'request-id': 'R1QW8A1B2C3D4E5F',
      requester: '111122223333',
      'source-ip-address': '203.0.113.9',
      reason: 'PutObject',
    },
  };
}
