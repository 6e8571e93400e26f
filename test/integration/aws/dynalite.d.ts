/** The part of dynalite 4.x (which ships no types) the integration tests use. */
declare module 'dynalite' {
  import type { Server } from 'node:http';

  interface DynaliteOptions {
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
    /** LevelDB directory; in memory when left out. */
    path?: string;
  }
  export default function dynalite(options?: DynaliteOptions): Server;
}
