// The command line hands the user's AWS credential chain to the destination: with it, an IAM role in the settings is
// assumed with the environment's keys (the chain's first source); without it, never.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { HttpClient } from '../../destination/http'
import { clearCredentialCache, resolveCredentials, useCredentialChain } from '../../destination/personalize/credentials'
import { useAwsCredentialChain } from '../credentialChain'

const authorizations: string[] = []
let server: http.Server
let stsEndpoint: string

const fetchClient: HttpClient = async (url, options) => {
  const response = await fetch(url, { method: options.method, headers: options.headers, body: options.body })
  return { status: response.status, headers: response.headers, content: await response.text() }
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    authorizations.push(req.headers.authorization ?? '')
    req.resume()
    req.on('end', () =>
      res.end(
        `<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIAROLE</AccessKeyId><SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken><Expiration>${new Date(Date.now() + 3_600_000).toISOString()}</Expiration></Credentials></AssumeRoleResult></AssumeRoleResponse>`
      )
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  stsEndpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise((resolve) => server.close(resolve)))

const env = { ...process.env }
beforeEach(() => {
  authorizations.length = 0
  clearCredentialCache()
  process.env = { ...env, AWS_ACCESS_KEY_ID: 'AKIDUSERCHAIN', AWS_SECRET_ACCESS_KEY: 'user-secret' }
  delete process.env.AWS_SESSION_TOKEN
  delete process.env.AWS_PROFILE
})
afterEach(() => {
  process.env = env
  useCredentialChain(undefined)
})

const settings = () => ({
  region: 'eu-west-1',
  trackingId: 't',
  iamRoleArn: 'arn:aws:iam::123456789012:role/segment-personalize',
  iamExternalId: 'external',
  stsEndpoint
})

test('with the chain handed in, the environment’s keys sign AssumeRole', async () => {
  useAwsCredentialChain()
  const resolved = await resolveCredentials(fetchClient, settings())
  expect(resolved).toMatchObject({ ok: true, credentials: { accessKeyId: 'ASIAROLE' } })
  expect(authorizations[0]).toMatch(/Credential=AKIDUSERCHAIN\/\d{8}\/eu-west-1\/sts\/aws4_request/)
})

test('without it, nothing is signed with them', async () => {
  const resolved = await resolveCredentials(fetchClient, settings())
  expect(resolved).toMatchObject({ ok: false, failure: { type: 'MissingCredentials' } })
  expect(authorizations).toHaveLength(0)
})
