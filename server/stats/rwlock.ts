/**
 * A small readers–writer lock for one process. Count reads share it; flushes and repairs take it
 * alone so a read never sees a delta both in the store and still pending. Writers are preferred:
 * once a writer waits, new readers queue behind it.
 */
export class ReadWriteLock {
  private readers = 0;
  private writing = false;
  private readonly waiting: Array<{ write: boolean; resolve: () => void }> = [];

  async read<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire(false);
    try {
      return await work();
    } finally {
      this.readers -= 1;
      this.drain();
    }
  }

  async write<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire(true);
    try {
      return await work();
    } finally {
      this.writing = false;
      this.drain();
    }
  }

  private acquire(write: boolean): Promise<void> {
    if (this.waiting.length === 0 && !this.writing && (!write || this.readers === 0)) {
      if (write) this.writing = true;
      else this.readers += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ write, resolve }));
  }

  private drain(): void {
    while (this.waiting.length > 0 && !this.writing) {
      const head = this.waiting[0]!;
      if (head.write) {
        if (this.readers > 0) return;
        this.waiting.shift();
        this.writing = true;
        head.resolve();
        return;
      }
      this.waiting.shift();
      this.readers += 1;
      head.resolve();
    }
  }
}
