// On a user's own machine, the destination's IAM role (the IAM Role ARN setting) is assumed with the user's own AWS
// credentials, found the way the AWS CLI and SDKs find them: environment variables, ~/.aws config and credentials
// files (profiles, SSO), web identity, then the container or instance role. The destination reads no ambient
// credentials by itself (destination/personalize/credentials.ts); the command line hands this chain in.
// https://docs.aws.amazon.com/sdkref/latest/guide/standardized-credentials.html
import type { defaultProvider } from '@aws-sdk/credential-provider-node'
import { useCredentialChain } from '../destination/personalize/credentials'

let chain: ReturnType<typeof defaultProvider> | undefined

export function useAwsCredentialChain(): void {
  useCredentialChain(async () => {
    // Loaded on first use: most commands never assume a role.
    chain ??= (await import('@aws-sdk/credential-provider-node')).defaultProvider()
    return chain()
  })
}
