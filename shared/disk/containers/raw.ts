import type { ByteSource, Container, ContainerInfo } from '../types.ts';

/** A raw image: the virtual disk is the file itself. */
export class RawContainer implements Container {
  readonly size: number;
  readonly info: ContainerInfo;
  readonly #source: ByteSource;

  constructor(source: ByteSource, details: ContainerInfo['details'] = {}) {
    this.#source = source;
    this.size = source.size;
    this.info = { format: 'raw', virtualSize: source.size, details };
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.#source.read(offset, length);
  }

  close(): Promise<void> {
    return this.#source.close();
  }
}
