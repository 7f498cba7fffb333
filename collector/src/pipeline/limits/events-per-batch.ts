/**
 * The events-per-batch limit (limits.eventsPerBatchMax), decided here only: the ack path applies
 * it to the count a frame header or JSON array declares (413), and the decode stage to what a
 * sealed frame or a Snowplow payload turns out to hold once opened (failed zone), with the same
 * code and words.
 */
export interface EventsPerBatchRefusal {
  readonly code: 'COLLECTOR_LIMIT_EVENTS_PER_BATCH';
  readonly message: string;
}

export function refuseEventsPerBatch(count: number, eventsPerBatchMax: number): EventsPerBatchRefusal | undefined {
  if (count <= eventsPerBatchMax) return undefined;
  return {
    code: 'COLLECTOR_LIMIT_EVENTS_PER_BATCH',
    message: `The batch holds ${count} events, more than the ${eventsPerBatchMax}-event limit (limits.eventsPerBatchMax); send smaller batches.`,
  };
}
