// Cross-checks the destination's SigV4 signature against the AWS SDK's own signer. It lives outside destination/
// because @smithy/signature-v4 is not a dependency of Segment's destination-actions package, where destination/ goes.
import '../destination/__tests__/__helpers__/nockCleanup'
import { createTestEvent, createTestIntegration } from '@segment/actions-core'
import { SignatureV4 } from '@smithy/signature-v4'
import { Hash } from '@smithy/hash-node'
import destination from '../destination'
import { recordPutEvents, settings, isolateNetwork } from '../destination/__tests__/__helpers__/personalizeNock'

const testDestination = createTestIntegration(destination)

isolateNetwork(testDestination)

test('a trackEvent request carries the signature the AWS SDK’s own signer computes', async () => {
  const calls = recordPutEvents()
  const event = createTestEvent({
    type: 'track',
    event: 'Product Viewed',
    messageId: 'msg-1',
    userId: 'user-1',
    anonymousId: 'anon-1',
    timestamp: '2026-11-20T10:00:00.000Z',
    properties: { product_id: 'prod-1', sku: 'SKU-1', name: 'Trail Runner', price: 89 }
  })
  await testDestination.testAction('trackEvent', { event, settings, useDefaultMappings: true })
  const [call] = calls
  const headers = call!.headers
  const amzDate = headers['x-amz-date']!
  const credentials = { accessKeyId: settings.accessKeyId!, secretAccessKey: settings.secretAccessKey! }
  const signer = new SignatureV4({
    service: 'personalize',
    region: 'us-west-2',
    credentials,
    sha256: Hash.bind(null, 'sha256'),
    applyChecksum: false
  })
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: 'personalize-events.us-west-2.amazonaws.com',
      path: '/events',
      headers: {
        host: headers.host!,
        'content-type': headers['content-type']!,
        'x-amz-date': amzDate,
        'content-length': headers['content-length']!
      },
      body: JSON.stringify(call!.body)
    },
    { signingDate: new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z')) }
  )
  const signature = (s: string) => /Signature=([0-9a-f]+)/.exec(s)?.[1]
  expect(signature(headers.authorization!)).toMatch(/^[0-9a-f]{64}$/)
  expect(signature(headers.authorization!)).toBe(signature(signed.headers.authorization!))
})
