import { Global, Inject, Module, OnApplicationShutdown, type DynamicModule } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@mam/event-store';
import { GenerationalReadStore, READ_STORE, type ReadStore } from '@mam/read-store';
import { APP_CONFIG, type AppConfig } from '../config/config';
import type { OpenedStores } from './stores';
import { ALL_PROJECTIONS } from '../projections/projection-registry';
import { collectionOwners } from '../projections/projection-owners';

/** Closes the stores last: runners stop in onModuleDestroy, before this runs. */
class StoresLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.events.close();
    await this.readStore.close();
  }
}

@Global()
@Module({})
export class StoresModule {
  static forConfig(config: AppConfig, stores: OpenedStores): DynamicModule {
    return {
      module: StoresModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: EVENT_STORE, useValue: stores.events },
        {
          provide: READ_STORE,
          // Logical collection names everywhere; the generation (see rebuilds) is resolved underneath.
          useFactory: async () => {
            const store = new GenerationalReadStore(stores.readStore, collectionOwners(ALL_PROJECTIONS));
            await store.refresh();
            return store;
          },
        },
        StoresLifecycle,
      ],
      exports: [APP_CONFIG, EVENT_STORE, READ_STORE],
    };
  }
}
