/**
 * Checks each event against its schema (./registry.ts). Invalid events go to the failed zone
 * with ajv's text; the valid ones of the same batch go on to `clean`. The registry is read on
 * every batch, so a reload applies from the next batch on.
 */
import { OK, type Stage } from '../chain/stage.js';
import type { EventNotes } from '../event-notes.js';
import type { SchemaRegistry } from './registry.js';

export function validateStage(registry: () => SchemaRegistry, notes: EventNotes): Stage {
  return {
    name: 'validate',
    run(batch) {
      const current = registry();
      const kept = [];
      for (const event of batch.events) {
        const check = current.check(event);
        const note = notes.get(event);
        if (note) note.piiRules = check.piiRules;
        if (check.status === 'valid') kept.push(event);
        else batch.rejected.push({ item: event, code: check.code, message: check.reason, stage: 'validate' });
      }
      batch.events = kept;
      return OK;
    },
  };
}
