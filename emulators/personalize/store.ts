import { randomUUID } from 'node:crypto'
import type { Interaction, Model } from './model'

// The emulator's state: resources by ARN, and the data recorded into datasets. In memory for now (persistence under
// --data-dir is still to come). Statuses are derived from the creation time and the configured delay, so they
// advance without timers: CREATE PENDING for the first half of the delay, CREATE IN_PROGRESS for the second, ACTIVE
// after (Personalize's exact strings, with the space: personalize-api.md §8).

export type Status = 'CREATE PENDING' | 'CREATE IN_PROGRESS' | 'ACTIVE' | 'CREATE FAILED'

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

export interface Resource {
  kind: Kind
  arn: string
  name: string
  /** Epoch milliseconds. */
  created: number
  fields: Record<string, unknown>
}

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
  /** Trained models by solution version ARN, with how many of the group's recorded events they were trained on. */
  readonly models = new Map<string, { model: Model; eventsSeen: number }>()
  /** Users and items written with PutUsers, PutItems and imports, by dataset ARN, then by id. */
  readonly metadata = new Map<string, Map<string, string | undefined>>()

  /** The clock resources are created by; a journal replay sets it to each entry's time. */
  now: () => number = Date.now
  /** Ids made during the operation being handled, for the journal; on replay, the ids to hand out again. */
  ids: string[] = []
  replaying = false

  constructor(
    readonly region: string,
    readonly account: string,
    private readonly delayMs: number
  ) {}

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

  add(kind: Kind, arn: string, name: string, fields: Record<string, unknown> = {}): Resource {
    const resource = { kind, arn, name, created: this.now(), fields }
    this.resources.set(arn, resource)
    return resource
  }

  get(kind: Kind, arn: unknown): Resource | undefined {
    const resource = typeof arn === 'string' ? this.resources.get(arn) : undefined
    return resource?.kind === kind ? resource : undefined
  }

  list(kind: Kind, filter: (r: Resource) => boolean = () => true): Resource[] {
    return [...this.resources.values()]
      .filter((r) => r.kind === kind && filter(r))
      .sort((a, b) => a.created - b.created)
  }

  status(resource: Resource): Status {
    if (resource.fields.failureReason) return 'CREATE FAILED'
    const age = this.now() - resource.created
    if (age >= this.delayMs) return 'ACTIVE'
    return age * 2 < this.delayMs ? 'CREATE PENDING' : 'CREATE IN_PROGRESS'
  }

  /** What every Describe* and List* shows of a resource: its times in epoch seconds and its status. */
  summary(resource: Resource): Record<string, unknown> {
    const seconds = resource.created / 1000
    return {
      name: resource.name,
      status: this.status(resource),
      creationDateTime: seconds,
      lastUpdatedDateTime: seconds
    }
  }

  trackerByTrackingId(trackingId: string): Resource | undefined {
    for (const resource of this.resources.values()) {
      if (resource.kind === 'event-tracker' && resource.fields.trackingId === trackingId) return resource
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
    for (const event of events) {
      // Personalize ignores later events that reuse an eventId (API_UBS_Event.html): a re-delivery adds nothing.
      if (event.eventId !== undefined) {
        const key = `${datasetGroupArn}\u0000${event.eventId}`
        if (this.eventIds.has(key)) continue
        this.eventIds.add(key)
      }
      const key = `${datasetGroupArn}\u0000${event.userId ?? `session\u0000${event.sessionId}`}`
      const positions = this.eventIndex.get(key)
      if (positions) positions.push(list.length)
      else this.eventIndex.set(key, [list.length])
      list.push(event)
    }
    this.events.set(datasetGroupArn, list)
  }

  /** The events recorded for `id` as a user, then as an anonymous session, from position `from` on. */
  eventsOf(datasetGroupArn: string, id: string, from = 0): RecordedEvent[] {
    const list = this.events.get(datasetGroupArn) ?? []
    const asUser = (this.eventIndex.get(`${datasetGroupArn}\u0000${id}`) ?? []).filter((i) => i >= from)
    const asSession = this.eventIndex.get(`${datasetGroupArn}\u0000session\u0000${id}`) ?? []
    return [...asUser, ...asSession].sort((a, b) => a - b).map((i) => list[i]!)
  }
}
