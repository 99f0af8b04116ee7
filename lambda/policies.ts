// The IAM documents `lambda deploy` creates: the function's execution role, with only what the configured settings
// need, and the role Segment assumes to invoke the function.
import type { Settings } from '../destination/generated-types'

// Segment's AWS account, which its Lambda destination invokes functions from
// (https://segment.com/docs/connections/destinations/catalog/amazon-lambda/).
export const SEGMENT_ACCOUNT = '595280932656'

export interface PolicyDocument {
  Version: '2012-10-17'
  Statement: Array<{
    Sid?: string
    Effect: 'Allow'
    Principal?: { Service?: string; AWS?: string }
    Action: string | string[]
    Resource?: string | string[]
    Condition?: Record<string, Record<string, string>>
  }>
}

export function lambdaTrustPolicy(): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }]
  }
}

/**
 * What the function may do: write its own logs; PutEvents; and GetRecommendations, PutUsers and PutItems only on the
 * campaign or recommender and datasets that are configured. PutEvents takes `*`: AWS requires the wildcard for a
 * Lambda's execution role (https://docs.aws.amazon.com/personalize/latest/dg/API_UBS_PutEvents.html).
 */
export function executionPolicy(settings: Settings, functionName: string, account: string): PolicyDocument {
  const logGroup = `arn:aws:logs:${settings.region}:${account}:log-group:/aws/lambda/${functionName}`
  const statements: PolicyDocument['Statement'] = [
    { Sid: 'Logs', Effect: 'Allow', Action: 'logs:CreateLogGroup', Resource: logGroup },
    {
      Sid: 'LogEvents',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: `${logGroup}:*`
    },
    { Sid: 'PutEvents', Effect: 'Allow', Action: 'personalize:PutEvents', Resource: '*' }
  ]
  const recommendations = settings.campaignArn || settings.recommenderArn
  if (recommendations)
    statements.push({
      Sid: 'GetRecommendations',
      Effect: 'Allow',
      Action: 'personalize:GetRecommendations',
      Resource: recommendations
    })
  if (settings.usersDatasetArn)
    statements.push({
      Sid: 'PutUsers',
      Effect: 'Allow',
      Action: 'personalize:PutUsers',
      Resource: settings.usersDatasetArn
    })
  if (settings.itemsDatasetArn)
    statements.push({
      Sid: 'PutItems',
      Effect: 'Allow',
      Action: 'personalize:PutItems',
      Resource: settings.itemsDatasetArn
    })
  return { Version: '2012-10-17', Statement: statements }
}

/** Segment's account may assume the invoke role, only with the external ID (your Segment source ID or workspace ID). */
export function segmentTrustPolicy(externalId: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${SEGMENT_ACCOUNT}:root` },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'sts:ExternalId': externalId } }
      }
    ]
  }
}

export function invokePolicy(functionArn: string): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: functionArn }]
  }
}
