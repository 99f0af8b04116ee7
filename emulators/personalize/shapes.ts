// Input shapes of Personalize's data-plane operations, with the constraints of its service models
// (botocore personalize-events/2018-03-22 and personalize-runtime/2018-05-22; @aws-sdk/client-personalize-events
// 3.1143.0), as the emulator validates them. See ../../../shared/reference/personalize-api.md §2–§4.
import type { Shape } from './validation'

type Structure = Extract<Shape, { type: 'structure' }>

const string = (min: number, max: number, required = false): Shape => ({ type: 'string', min, max, required })
const ARN = /^arn:([a-z\d-]+):personalize:.*:.*:.+$/
const arn = (required = false): Shape => ({ type: 'string', max: 256, pattern: ARN, required })
const stringMap = (max: number, keyMax: number, keyPattern: RegExp, valueMax: number): Shape => ({
  type: 'map',
  max,
  key: { type: 'string', min: 1, max: keyMax, pattern: keyPattern },
  value: { type: 'string', max: valueMax }
})

const event: Structure = {
  type: 'structure',
  members: {
    eventId: string(1, 256),
    eventType: string(1, 256, true),
    eventValue: { type: 'float' },
    itemId: string(1, 256),
    properties: string(1, 1024),
    sentAt: { type: 'timestamp', required: true },
    recommendationId: string(1, 40),
    impression: { type: 'list', min: 1, max: 25, member: string(1, 256) }
  }
}

const metadataRecord = (idKey: 'userId' | 'itemId', propertiesMax: number): Structure => ({
  type: 'structure',
  members: { [idKey]: string(1, 256, true), properties: string(1, propertiesMax) }
})

const filterValues = stringMap(25, 50, /^[A-Za-z0-9_]+$/, 1000)
const context = stringMap(150, 150, /^[A-Za-z\d_]+$/, 1000)
const metadataColumns: Shape = {
  type: 'map',
  max: 1,
  key: { type: 'string', max: 256 },
  value: { type: 'list', max: 99, member: { type: 'string', max: 150 } }
}

export const SHAPES = {
  PutEvents: {
    type: 'structure',
    members: {
      trackingId: string(1, 256, true),
      userId: string(1, 256),
      sessionId: string(1, 256, true),
      eventList: { type: 'list', min: 1, max: 10, member: event, required: true }
    }
  },
  PutUsers: {
    type: 'structure',
    members: {
      datasetArn: arn(true),
      users: { type: 'list', min: 1, max: 10, member: metadataRecord('userId', 24_000), required: true }
    }
  },
  PutItems: {
    type: 'structure',
    members: {
      datasetArn: arn(true),
      items: { type: 'list', min: 1, max: 10, member: metadataRecord('itemId', 32_000), required: true }
    }
  },
  GetRecommendations: {
    type: 'structure',
    members: {
      campaignArn: arn(),
      recommenderArn: arn(),
      itemId: string(0, 256),
      userId: string(0, 256),
      numResults: { type: 'integer', min: 0, max: 500 },
      context,
      filterArn: arn(),
      filterValues,
      metadataColumns,
      promotions: {
        type: 'list',
        max: 1,
        member: {
          type: 'structure',
          members: {
            name: string(1, 63),
            percentPromotedItems: { type: 'integer', min: 1, max: 100 },
            filterArn: arn(),
            filterValues
          }
        }
      }
    }
  },
  GetPersonalizedRanking: {
    type: 'structure',
    members: {
      campaignArn: arn(true),
      inputList: { type: 'list', min: 1, max: 500, member: string(0, 256), required: true },
      userId: string(0, 256, true),
      context,
      filterArn: arn(),
      filterValues,
      metadataColumns
    }
  }
} satisfies Record<string, Structure>

// Control-plane inputs (botocore personalize/2018-05-22): resource names are 1–63 characters of
// [a-zA-Z0-9][a-zA-Z0-9\-_]*; ARNs ≤ 256; an Avro schema ≤ 20000 characters.
const name: Shape = { type: 'string', min: 1, max: 63, pattern: /^[a-zA-Z0-9][a-zA-Z0-9\-_]*$/, required: true }
const requiredArn = arn(true)
const ROLE_ARN = /^arn:([a-z\d-]+):iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/
const listInput: Structure = {
  type: 'structure',
  members: { nextToken: string(0, 1500), maxResults: { type: 'integer', min: 1, max: 100 } }
}
const DOMAIN = /^(ECOMMERCE|VIDEO_ON_DEMAND)$/
// Tags (Tags, Tag, TagKey, TagValue): at most 200 in a request, keys 1..128 and values 0..256 of letters, spaces,
// digits and _.:/=+-@.
const TAG_TEXT = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u
const tagKey: Shape = { type: 'string', min: 1, max: 128, pattern: TAG_TEXT }
const tags: Shape = {
  type: 'list',
  min: 0,
  max: 200,
  member: {
    type: 'structure',
    members: {
      tagKey: { ...tagKey, required: true },
      tagValue: { type: 'string', min: 0, max: 256, pattern: TAG_TEXT, required: true }
    }
  }
}
const hyperParameters: Shape = {
  type: 'map',
  max: 100,
  key: { type: 'string', max: 256 },
  value: { type: 'string', max: 1000 }
}
const datasetColumns: Shape = {
  type: 'map',
  max: 3,
  key: { type: 'string', max: 256, pattern: /^[A-Za-z_]+$/ },
  value: { type: 'list', max: 50, member: { type: 'string', max: 150, pattern: /^[A-Za-z_][A-Za-z\d_]*$/ } }
}
const recommenderConfig = (required: boolean): Shape => ({
  type: 'structure',
  required,
  members: {
    itemExplorationConfig: hyperParameters,
    minRecommendationRequestsPerSecond: { type: 'integer', min: 1 },
    trainingDataConfig: {
      type: 'structure',
      members: { excludedDatasetColumns: datasetColumns, includedDatasetColumns: datasetColumns }
    },
    enableMetadataWithRecommendations: { type: 'boolean' }
  }
})
const KMS_ARN = /^arn:aws.*:kms:.*:[0-9]{12}:key\/.*$/
const roleArn = (required = false): Shape => ({ type: 'string', max: 256, pattern: ROLE_ARN, required })

export const CONTROL_SHAPES = {
  CreateDatasetGroup: {
    type: 'structure',
    members: {
      name,
      roleArn: roleArn(),
      kmsKeyArn: { type: 'string', max: 2048, pattern: KMS_ARN },
      domain: { type: 'string', pattern: DOMAIN },
      tags
    }
  },
  DescribeDatasetGroup: { type: 'structure', members: { datasetGroupArn: requiredArn } },
  ListDatasetGroups: listInput,
  DeleteDatasetGroup: { type: 'structure', members: { datasetGroupArn: requiredArn } },
  CreateSchema: {
    type: 'structure',
    members: {
      name,
      schema: { type: 'string', max: 20_000, required: true },
      domain: { type: 'string', pattern: DOMAIN }
    }
  },
  DescribeSchema: { type: 'structure', members: { schemaArn: requiredArn } },
  ListSchemas: listInput,
  DeleteSchema: { type: 'structure', members: { schemaArn: requiredArn } },
  CreateDataset: {
    type: 'structure',
    members: {
      name,
      schemaArn: requiredArn,
      datasetGroupArn: requiredArn,
      datasetType: { type: 'string', max: 256, required: true },
      tags
    }
  },
  DescribeDataset: { type: 'structure', members: { datasetArn: requiredArn } },
  ListDatasets: { type: 'structure', members: { ...listInput.members, datasetGroupArn: arn() } },
  DeleteDataset: { type: 'structure', members: { datasetArn: requiredArn } },
  CreateEventTracker: { type: 'structure', members: { name, datasetGroupArn: requiredArn, tags } },
  DescribeEventTracker: { type: 'structure', members: { eventTrackerArn: requiredArn } },
  ListEventTrackers: { type: 'structure', members: { ...listInput.members, datasetGroupArn: arn() } },
  DeleteEventTracker: { type: 'structure', members: { eventTrackerArn: requiredArn } },
  CreateDatasetImportJob: {
    type: 'structure',
    members: {
      jobName: name,
      datasetArn: requiredArn,
      // The model's pattern is (s3|http|https)://.+; the emulator also reads file:// URLs and paths (localPath).
      dataSource: { type: 'structure', required: true, members: { dataLocation: string(0, 256) } },
      roleArn: roleArn(),
      tags,
      importMode: { type: 'string', pattern: /^(FULL|INCREMENTAL)$/ },
      publishAttributionMetricsToS3: { type: 'boolean' }
    }
  },
  DescribeDatasetImportJob: { type: 'structure', members: { datasetImportJobArn: requiredArn } },
  ListDatasetImportJobs: { type: 'structure', members: { ...listInput.members, datasetArn: arn() } },
  // https://docs.aws.amazon.com/personalize/latest/dg/API_CreateDatasetExportJob.html. The output path takes what an
  // import's data location takes (s3://, file:// or a path: see exports.ts), so it has no pattern here.
  CreateDatasetExportJob: {
    type: 'structure',
    members: {
      jobName: name,
      datasetArn: requiredArn,
      ingestionMode: { type: 'string', pattern: /^(BULK|PUT|ALL)$/ },
      roleArn: roleArn(true),
      tags,
      jobOutput: {
        type: 'structure',
        required: true,
        members: {
          s3DataDestination: {
            type: 'structure',
            required: true,
            members: {
              path: { type: 'string', max: 256, required: true },
              kmsKeyArn: { type: 'string', max: 2048, pattern: KMS_ARN }
            }
          }
        }
      }
    }
  },
  DescribeDatasetExportJob: { type: 'structure', members: { datasetExportJobArn: requiredArn } },
  ListDatasetExportJobs: { type: 'structure', members: { ...listInput.members, datasetArn: arn() } },
  CreateSolution: {
    type: 'structure',
    members: {
      name,
      datasetGroupArn: requiredArn,
      recipeArn: arn(),
      eventType: string(0, 256),
      performHPO: { type: 'boolean' },
      performAutoML: { type: 'boolean' },
      performAutoTraining: { type: 'boolean' },
      // Accepted and recorded, not acted on (no HPO, no AutoML): the members the emulator checks.
      solutionConfig: {
        type: 'structure',
        members: {
          eventValueThreshold: string(0, 256),
          algorithmHyperParameters: hyperParameters,
          featureTransformationParameters: hyperParameters
        }
      },
      tags
    }
  },
  DescribeSolution: { type: 'structure', members: { solutionArn: requiredArn } },
  ListSolutions: { type: 'structure', members: { ...listInput.members, datasetGroupArn: arn() } },
  DeleteSolution: { type: 'structure', members: { solutionArn: requiredArn } },
  CreateSolutionVersion: {
    type: 'structure',
    members: {
      solutionArn: requiredArn,
      name: { ...name, required: false },
      trainingMode: { type: 'string', pattern: /^(FULL|UPDATE|AUTOTRAIN)$/ },
      tags
    }
  },
  DescribeSolutionVersion: { type: 'structure', members: { solutionVersionArn: requiredArn } },
  ListSolutionVersions: { type: 'structure', members: { ...listInput.members, solutionArn: arn() } },
  CreateCampaign: {
    type: 'structure',
    members: {
      name,
      solutionVersionArn: requiredArn,
      minProvisionedTPS: { type: 'integer', min: 1 },
      campaignConfig: {
        type: 'structure',
        members: {
          itemExplorationConfig: hyperParameters,
          enableMetadataWithRecommendations: { type: 'boolean' },
          syncWithLatestSolutionVersion: { type: 'boolean' },
          rankingInfluence: {
            type: 'map',
            key: { type: 'string', pattern: /^(POPULARITY|FRESHNESS)$/ },
            value: { type: 'float', min: 0, max: 1 }
          }
        }
      },
      tags
    }
  },
  DescribeCampaign: { type: 'structure', members: { campaignArn: requiredArn } },
  ListCampaigns: { type: 'structure', members: { ...listInput.members, solutionArn: arn() } },
  DeleteCampaign: { type: 'structure', members: { campaignArn: requiredArn } },
  CreateFilter: {
    type: 'structure',
    members: {
      name,
      datasetGroupArn: requiredArn,
      filterExpression: { type: 'string', min: 1, max: 2500, required: true },
      tags
    }
  },
  DescribeFilter: { type: 'structure', members: { filterArn: requiredArn } },
  ListFilters: { type: 'structure', members: { ...listInput.members, datasetGroupArn: arn() } },
  DeleteFilter: { type: 'structure', members: { filterArn: requiredArn } },
  GetSolutionMetrics: { type: 'structure', members: { solutionVersionArn: requiredArn } },
  ListRecipes: {
    type: 'structure',
    members: {
      ...listInput.members,
      recipeProvider: { type: 'string', pattern: /^SERVICE$/ },
      domain: { type: 'string', pattern: DOMAIN }
    }
  },
  DescribeRecipe: { type: 'structure', members: { recipeArn: requiredArn } },
  TagResource: { type: 'structure', members: { resourceArn: requiredArn, tags: { ...tags, required: true } } },
  UntagResource: {
    type: 'structure',
    members: {
      resourceArn: requiredArn,
      tagKeys: { type: 'list', min: 0, max: 200, member: tagKey, required: true }
    }
  },
  ListTagsForResource: { type: 'structure', members: { resourceArn: requiredArn } },
  CreateRecommender: {
    type: 'structure',
    members: {
      name,
      datasetGroupArn: requiredArn,
      recipeArn: requiredArn,
      recommenderConfig: recommenderConfig(false),
      tags
    }
  },
  DescribeRecommender: { type: 'structure', members: { recommenderArn: requiredArn } },
  ListRecommenders: { type: 'structure', members: { ...listInput.members, datasetGroupArn: arn() } },
  DeleteRecommender: { type: 'structure', members: { recommenderArn: requiredArn } },
  StartRecommender: { type: 'structure', members: { recommenderArn: requiredArn } },
  StopRecommender: { type: 'structure', members: { recommenderArn: requiredArn } },
  UpdateRecommender: {
    type: 'structure',
    members: { recommenderArn: requiredArn, recommenderConfig: recommenderConfig(true) }
  }
} satisfies Record<string, Structure>
