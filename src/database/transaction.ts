import type { EntityManager } from 'typeorm';

/** A transaction's EntityManager. With a pool of one connection, every query inside a
 *  transaction must go through it, or the app deadlocks (see STACK.md). */
export type Tx = EntityManager;
