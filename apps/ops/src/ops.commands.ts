import { Inject } from '@nestjs/common';
import { Command, CommandRunner, Option, SubCommand } from 'nest-commander';
import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { READ_STORE, type GenerationalReadStore } from '@mam/read-store';
import { ALL_PROJECTIONS } from '../../api/src/projections/projection-registry';
import { ProjectionsService } from '../../api/src/projections/projections.service';
import { SagasService } from '../../api/src/sagas/sagas.service';
import { PARKED_COLLECTION, type ParkedEvent } from '../../api/src/projections/parked-events';
import { rebuild } from './rebuild';
import { retryParked } from './retry-parked';

const out = (line: string): void => void process.stdout.write(`${line}\n`);

@Command({ name: 'projections', description: 'list projections and sagas with their position, lag and parked events' })
export class ProjectionsCommand extends CommandRunner {
  constructor(
    private readonly projections: ProjectionsService,
    private readonly sagas: SagasService,
    @Inject(READ_STORE) private readonly readStore: GenerationalReadStore,
  ) {
    super();
  }

  async run(): Promise<void> {
    await this.projections.runner.loadCheckpoints();
    for (const r of this.sagas.runners) await r.loadCheckpoint();
    const items = [...(await this.projections.info()), ...(await this.sagas.info())];
    out(['name'.padEnd(24), 'generation', 'position'.padStart(12), 'lag'.padStart(10), 'parked'.padStart(7)].join(' '));
    for (const i of items) {
      const generation = ALL_PROJECTIONS.some((p) => p.name === i.name) ? String(this.readStore.generationOf(i.name)) : '-';
      out([i.name.padEnd(24), generation.padEnd(10), (i.position ?? '-').padStart(12), i.lag.padStart(10), String(i.parked).padStart(7)].join(' '));
    }
  }
}

@Command({ name: 'rebuild', arguments: '[projections...]', description: 'rebuild read models from the first event while the service keeps serving the old ones' })
export class RebuildCommand extends CommandRunner {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: GenerationalReadStore,
  ) {
    super();
  }

  async run(names: string[], options: { all?: boolean }): Promise<void> {
    const unknown = names.filter((n) => !ALL_PROJECTIONS.some((p) => p.name === n));
    if (unknown.length) throw new Error(`unknown projection(s): ${unknown.join(', ')}; known: ${ALL_PROJECTIONS.map((p) => p.name).join(', ')}`);
    if (!options.all && names.length === 0) throw new Error('name the projections to rebuild, or pass --all');
    const chosen = options.all ? ALL_PROJECTIONS : ALL_PROJECTIONS.filter((p) => names.includes(p.name));
    await rebuild(this.events, this.readStore, chosen, out);
  }

  @Option({ flags: '--all', description: 'rebuild every read model' })
  parseAll(): boolean {
    return true;
  }
}

@Command({ name: 'stream', arguments: '<streamId>', description: 'print the events of one stream as JSON lines' })
export class StreamCommand extends CommandRunner {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {
    super();
  }

  async run([streamId]: string[]): Promise<void> {
    const events = await this.events.readStream(streamId);
    if (events.length === 0) out(`(stream ${streamId} is empty or does not exist)`);
    for (const e of events) {
      out(JSON.stringify({ position: e.position.toString(), revision: e.revision.toString(), id: e.id, type: e.type, data: e.data, metadata: e.metadata }));
    }
  }
}

@SubCommand({ name: 'list', description: 'list parked events' })
export class ParkedListCommand extends CommandRunner {
  constructor(@Inject(READ_STORE) private readonly readStore: GenerationalReadStore) {
    super();
  }

  async run(): Promise<void> {
    const parked = await this.readStore.find<ParkedEvent>(PARKED_COLLECTION, {});
    if (parked.length === 0) out('no parked events');
    for (const { doc } of parked) out(`${doc.id}  ${doc.type} @${doc.position} in ${doc.streamId}  parked ${doc.parkedAt}: ${doc.error}`);
  }
}

@SubCommand({ name: 'retry', arguments: '[ids...]', description: 'handle parked events again (after a fix); removes those that succeed' })
export class ParkedRetryCommand extends CommandRunner {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: GenerationalReadStore,
    private readonly sagas: SagasService,
  ) {
    super();
  }

  async run(ids: string[], options: { all?: boolean }): Promise<void> {
    const parked = (await this.readStore.find<ParkedEvent>(PARKED_COLLECTION, {})).map((r) => r.doc);
    const chosen = options.all ? parked : parked.filter((p) => ids.includes(p.id));
    if (chosen.length === 0) return out('nothing to retry (give ids from `parked list`, or --all)');
    await retryParked(chosen, this.events, this.readStore, this.sagas, out);
  }

  @Option({ flags: '--all', description: 'retry every parked event' })
  parseAll(): boolean {
    return true;
  }
}

@Command({ name: 'parked', description: 'events a projection or saga could not handle', subCommands: [ParkedListCommand, ParkedRetryCommand] })
export class ParkedCommand extends CommandRunner {
  async run(): Promise<void> {
    out('use `parked list` or `parked retry [ids...] [--all]`');
  }
}
