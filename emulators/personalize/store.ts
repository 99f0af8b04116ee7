import { randomUUID } from 'node:crypto'
import type { Interaction, Model } from './model'
import type { Metrics } from './metrics'

// The emulator's state: resources by ARN, and the data recorded into datasets (journaled under --data-dir, see
// journal.ts). Statuses are derived from when the resource's last change began and the configured delay, so they
// advance without timers: `<VERB> PENDING` for the first half of the delay, `<VERB> IN_PROGRESS` for the second, then
// ACTIVE (or INACTIVE for a stopped recommender): Personalize's exact strings, with the space (personalize-api.md §8).
//
// Resources are regional, as in AWS: every ARN names the region of the request that created it, and a request sees
// only its own region's resources (`region` is set per request from the SigV4 credential scope, see server.ts).

export type Status = string

/** A change under way: CREATE, then UPDATE, STOP or START for a recommender. */
export interface Phase {
  verb: 'CREATE' | 'UPDATE' | 'START' | 'STOP'
  /** Epoch milliseconds. */
  since: number
  /** The status once done. */
  to: 'ACTIVE' | 'INACTIVE'
  /** How long the change takes: the delay in effect when it began (a restart with another delay keeps it). */
  delayMs: number
}

export interface Tag {
  tagKey: string
  tagValue: string
}

export type Kind =
  | 'dataset-group'
  | 'schema'
  | 'dataset'
  | 'event-tracker'
  | 'dataset-import-job'
  | 'dataset-export-job'
  | 'solution'
  | 'solution-version'
  | 'campaign'
  | 'filter'
  | 'recommender'

export interface Resource {
  kind: Kind
  arn: string
  name: string
  /** Epoch milliseconds. */
  created: number
  /** What Describe shows, by the model's member names (the common ones, such as status, are added). */
  fields: Record<string, unknown>
  phase: Phase
  tags: Tag[]
}

/** The region part of an ARN (arn:aws:personalize:<region>:<account>:…). */
export const regionOf = (arn: string): string | undefined => arn.split(':')[3]

export interface RecordedEvent {
  trackingId: string
  sessionId: string
  userId?: string
  eventType: string
  sentAt: number
  eventId?: string
  itemId?: string
  eventValue?: number
  impression?: string[]
  recommendationId?: string
  properties?: string
}

export class Store {
  readonly resources = new Map<string, Resource>()
  /** Interactions recorded through PutEvents, by dataset group ARN. */
  readonly events = new Map<string, RecordedEvent[]>()
  /** Interactions imported from CSV, by dataset group ARN. */
  readonly imported = new Map<string, Interaction[]>()
  /** Trained models by solution version or recommender ARN, with how many of the group's recorded events they were
   *  trained on, and their offline metrics. */
  readonly models = new Map<string, { model: Model; eventsSeen: number; metrics: () => Metrics }>()
  /** Users and items written with PutUsers, PutItems and imports, by dataset ARN, then by id. */
  readonly metadata = new Map<string, Map<string, string | undefined>>()

  /** The clock resources are created by; a journal replay sets it to each entry's time. */
  now: () => number = Date.now
  /** Ids made during the operation being handled, for the journal; on replay, the ids to hand out again. */
  ids: string[] = []
  replaying = false
  /** The region of the request being handled (the default region between requests). */
  region: string

  /** How long changes begun now take; a journal replay sets it to each entry's, as it was when acknowledged. */
  delayMs: number

  constructor(
    readonly defaultRegion: string,
    readonly account: string,
    delayMs: number
  ) {
    this.region = defaultRegion
    this.delayMs = delayMs
  }

  // How to take back the changes of the operation being run, newest last (see transaction()).
  private undo: Array<() => void> | undefined

  /**
   * Runs an operation so that its changes can be taken back: under --data-dir they stand only once its journal entry
   * is written and fsynced (a full disk answers 500 and leaves the store as it was). Every change to the store goes
   * through the methods below, which record how to undo it.
   */
  transaction<T>(run: () => T): { result: T; undo: () => void } {
    const undo: Array<() => void> = []
    this.undo = undo
    try {
      return { result: run(), undo: () => undo.reverse().forEach((step) => step()) }
    } catch (error) {
      for (const step of undo.reverse()) step()
      throw error
    } finally {
      this.undo = undefined
    }
  }

  private changed(undo: () => void): void {
    this.undo?.push(undo)
  }

  /** A fresh id, recorded so that a journal replay hands out the same one. */
  uuid(): string {
    if (this.replaying) return this.ids.shift() ?? randomUUID()
    const id = randomUUID()
    this.ids.push(id)
    return id
  }

  arn(kind: Kind, path: string): string {
    return `arn:aws:personalize:${this.region}:${this.account}:${kind}/${path}`
  }

  add(kind: Kind, arn: string, name: string, fields: Record<string, unknown> = {}, tags: Tag[] = []): Resource {
    const created = this.now()
    const resource: Resource = {
      kind,
      arn,
      name,
      created,
      fields,
      phase: { verb: 'CREATE', since: created, to: 'ACTIVE', delayMs: this.delayMs },
      tags
    }
    const before = this.resources.get(arn)
    this.resources.set(arn, resource)
    this.changed(() => (before ? this.resources.set(arn, before) : this.resources.delete(arn)))
    return resource
  }

  /** Deletes a resource and its trained model. */
  remove(arn: string): void {
    const [resource, model] = [this.resources.get(arn), this.models.get(arn)]
    this.resources.delete(arn)
    this.models.delete(arn)
    this.changed(() => {
      if (resource) this.resources.set(arn, resource)
      if (model) this.models.set(arn, model)
    })
  }

  /** Keeps a trained model for a solution version or recommender. */
  setModel(arn: string, trained: { model: Model; eventsSeen: number; metrics: () => Metrics }): void {
    const before = this.models.get(arn)
    this.models.set(arn, trained)
    this.changed(() => (before ? this.models.set(arn, before) : this.models.delete(arn)))
  }

  /** Sets fields of a resource (UpdateRecommender's config). */
  setFields(resource: Resource, fields: Record<string, unknown>): void {
    const before = resource.fields
    resource.fields = { ...resource.fields, ...fields }
    this.changed(() => (resource.fields = before))
  }

  setTags(resource: Resource, tags: Tag[]): void {
    const before = resource.tags
    resource.tags = tags
    this.changed(() => (resource.tags = before))
  }

  /** Adds interactions imported from CSV to a dataset group. */
  addImported(datasetGroupArn: string, interactions: Interaction[]): void {
    const before = this.imported.get(datasetGroupArn)
    this.imported.set(datasetGroupArn, [...(before ?? []), ...interactions])
    this.changed(() => (before ? this.imported.set(datasetGroupArn, before) : this.imported.delete(datasetGroupArn)))
  }

  /** Writes users or items (id → properties JSON) into a dataset; a record written again replaces the earlier one. */
  putMetadata(datasetArn: string, records: Array<[string, string | undefined]>): void {
    const table = this.metadata.get(datasetArn) ?? new Map<string, string | undefined>()
    const fresh = !this.metadata.has(datasetArn)
    const before = this.undo ? records.map(([id]) => [id, table.has(id), table.get(id)] as const) : []
    for (const [id, properties] of records) table.set(id, properties)
    this.metadata.set(datasetArn, table)
    this.changed(() => {
      if (fresh) return void this.metadata.delete(datasetArn)
      for (const [id, had, properties] of before.reverse()) {
        if (had) table.set(id, properties)
        else table.delete(id)
      }
    })
  }

  /** A resource of this region, of any kind. */
  find(arn: unknown): Resource | undefined {
    const resource = typeof arn === 'string' ? this.resources.get(arn) : undefined
    return resource && regionOf(resource.arn) === this.region ? resource : undefined
  }

  get(kind: Kind, arn: unknown): Resource | undefined {
    const resource = this.find(arn)
    return resource?.kind === kind ? resource : undefined
  }

  /** This region's resources of a kind, oldest first (ties by ARN, so that pages are stable). */
  list(kind: Kind, filter: (r: Resource) => boolean = () => true): Resource[] {
    return [...this.resources.values()]
      .filter((r) => r.kind === kind && regionOf(r.arn) === this.region && filter(r))
      .sort((a, b) => a.created - b.created || (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0))
  }

  /** Starts a change (UpdateRecommender, StopRecommender, StartRecommender): its status goes through the verb's. */
  change(resource: Resource, verb: Phase['verb'], to: Phase['to']): void {
    const before = resource.phase
    resource.phase = { verb, since: this.now(), to, delayMs: this.delayMs }
    this.changed(() => (resource.phase = before))
  }

  status(resource: Resource): Status {
    if (resource.fields.failureReason) return `${resource.phase.verb} FAILED`
    const { since, delayMs } = resource.phase
    const age = this.now() - since
    if (age >= delayMs) return resource.phase.to
    return age * 2 < delayMs ? `${resource.phase.verb} PENDING` : `${resource.phase.verb} IN_PROGRESS`
  }

  /** When the resource's status last moved, in epoch milliseconds. */
  lastUpdated(resource: Resource): number {
    const { since, delayMs } = resource.phase
    const age = this.now() - since
    if (age >= delayMs) return since + delayMs
    return age * 2 < delayMs ? since : since + delayMs / 2
  }

  /** What every Describe* and List* shows of a resource: its times in epoch seconds and its status. */
  summary(resource: Resource): Record<string, unknown> {
    return {
      name: resource.name,
      status: this.status(resource),
      creationDateTime: resource.created / 1000,
      lastUpdatedDateTime: this.lastUpdated(resource) / 1000
    }
  }

  trackerByTrackingId(trackingId: string): Resource | undefined {
    for (const resource of this.resources.values()) {
      if (
        resource.kind === 'event-tracker' &&
        resource.fields.trackingId === trackingId &&
        regionOf(resource.arn) === this.region
      )
        return resource
    }
    return undefined
  }

  /**
   * Positions in the group's recorded events of a user's events: those recorded under the user ID, and those of an
   * anonymous session recorded under the session ID only (Personalize's way to ask for an anonymous visitor).
   */
  readonly eventIndex = new Map<string, number[]>()

  private readonly eventIds = new Set<string>()

  record(datasetGroupArn: string, events: RecordedEvent[]): void {
    const list = this.events.get(datasetGroupArn) ?? []
    const [fresh, length] = [!this.events.has(datasetGroupArn), list.length]
    const idKey = (event: RecordedEvent) => `${datasetGroupArn}\u0000${event.eventId}`
    const indexKey = (event: RecordedEvent) =>
      `${datasetGroupArn}\u0000${event.userId ?? `session\u0000${event.sessionId}`}`
    for (const event of events) {
      // Personalize ignores later events that reuse an eventId (API_UBS_Event.html): a re-delivery adds nothing.
      if (event.eventId !== undefined) {
        const key = idKey(event)
        if (this.eventIds.has(key)) continue
        this.eventIds.add(key)
      }
      const key = indexKey(event)
      const positions = this.eventIndex.get(key)
      if (positions) positions.push(list.length)
      else this.eventIndex.set(key, [list.length])
      list.push(event)
    }
    this.events.set(datasetGroupArn, list)
    this.changed(() => {
      // What this call added follows `length` (later changes are taken back first), newest first.
      for (const event of list.slice(length).reverse()) {
        const key = indexKey(event)
        const positions = this.eventIndex.get(key)!
        positions.pop()
        if (positions.length === 0) this.eventIndex.delete(key)
        if (event.eventId !== undefined) this.eventIds.delete(idKey(event))
      }
      list.length = length
      if (fresh) this.events.delete(datasetGroupArn)
    })
  }

  /** The events recorded for `id` as a user, then as an anonymous session, from position `from` on. */
  eventsOf(datasetGroupArn: string, id: string, from = 0): RecordedEvent[] {
    const list = this.events.get(datasetGroupArn) ?? []
    const asUser = (this.eventIndex.get(`${datasetGroupArn}\u0000${id}`) ?? []).filter((i) => i >= from)
    const asSession = this.eventIndex.get(`${datasetGroupArn}\u0000session\u0000${id}`) ?? []
    return [...asUser, ...asSession].sort((a, b) => a - b).map((i) => list[i]!)
  }
}
