import { Injectable, OnApplicationShutdown } from '@nestjs/common';

/** What the app needs of its session store at shutdown. */
interface ClosableStore {
  close(): Promise<void> | void;
}

/**
 * Closes the session store with the app. The store (created in configureApp, outside dependency
 * injection) prunes expired sessions on a timer; left running after the app closed, the timer fires on a
 * pool that has ended and logs a failure (tests open and close many apps in one process).
 */
@Injectable()
export class SessionStoreLifecycle implements OnApplicationShutdown {
  private store: ClosableStore | null = null;

  register(store: ClosableStore): void {
    this.store = store;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.store?.close();
    this.store = null;
  }
}
