// Tags: TagResource, UntagResource and ListTagsForResource, on every resource whose Create* takes `tags` in the model
// (dataset groups, datasets, import and export jobs, event trackers, filters, solutions, solution versions, campaigns,
// recommenders; not schemas). https://docs.aws.amazon.com/personalize/latest/dg/tagging-resources.html
import { ERRORS } from './protocol'
import { MAX_TAGS, mergeTags, notFound, tagsProblem, type Operation } from './resources'
import type { Kind, Resource, Store, Tag } from './store'

export const TAGGABLE: Kind[] = [
  'dataset-group',
  'dataset',
  'dataset-import-job',
  'dataset-export-job',
  'event-tracker',
  'filter',
  'solution',
  'solution-version',
  'campaign',
  'recommender'
]

function taggable(store: Store, arn: unknown): Resource | undefined {
  const resource = store.find(arn)
  return resource && TAGGABLE.includes(resource.kind) ? resource : undefined
}

export function tagOperations(): Record<string, Operation> {
  return {
    TagResource: (store, input) => {
      const resource = taggable(store, input.resourceArn)
      if (!resource) return notFound(input.resourceArn)
      const added = input.tags as Tag[]
      const problem = tagsProblem(resource.tags, added)
      if (problem) return problem
      store.setTags(resource, mergeTags(resource.tags, added))
      return {}
    },
    UntagResource: (store, input) => {
      const resource = taggable(store, input.resourceArn)
      if (!resource) return notFound(input.resourceArn)
      const keys = input.tagKeys as string[]
      // TooManyTagKeysException: "more tag keys than can be associated with a resource (50 tag keys per resource)"
      // (the exception's documentation in botocore personalize/2018-05-22).
      if (keys.length > MAX_TAGS)
        return ERRORS.tooManyTagKeys(`At most ${MAX_TAGS} tag keys can be removed at once; ${keys.length} were given.`)
      store.setTags(
        resource,
        resource.tags.filter((tag) => !keys.includes(tag.tagKey))
      )
      return {}
    },
    ListTagsForResource: (store, input) => {
      const resource = taggable(store, input.resourceArn)
      if (!resource) return notFound(input.resourceArn)
      return { tags: resource.tags }
    }
  }
}
