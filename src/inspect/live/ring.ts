/**
 * Ring is a bounded first-in first-out buffer: `push` past the capacity overwrites the oldest item
 * and returns it. Index 0 is the oldest item. Every operation is O(1) and nothing is reallocated
 * after construction, so a busy capture keeps a fixed-size array however long it runs.
 */
export class Ring<T> {
  private readonly slots: Array<T | undefined>;
  private head = 0;
  private count = 0;

  /** Throws RangeError unless capacity is a whole number of at least 1. */
  constructor(readonly capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a whole number >= 1, got ${capacity}`);
    this.slots = new Array<T | undefined>(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** push appends `item` as the newest; returns the oldest item it displaced when full, else undefined. */
  push(item: T): T | undefined {
    if (this.count < this.capacity) {
      this.slots[(this.head + this.count) % this.capacity] = item;
      this.count++;
      return undefined;
    }
    const old = this.slots[this.head];
    this.slots[this.head] = item;
    this.head = (this.head + 1) % this.capacity;
    return old;
  }

  /** shift removes and returns the oldest item (undefined when empty). */
  shift(): T | undefined {
    if (this.count === 0) return undefined;
    const old = this.slots[this.head];
    this.slots[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.count--;
    return old;
  }

  /** at returns the item `index` places after the oldest (undefined outside 0..size-1). */
  at(index: number): T | undefined {
    if (!Number.isInteger(index) || index < 0 || index >= this.count) return undefined;
    return this.slots[(this.head + index) % this.capacity];
  }

  /** Iterates oldest to newest. */
  *[Symbol.iterator](): IterableIterator<T> {
    for (let i = 0; i < this.count; i++) yield this.slots[(this.head + i) % this.capacity]!;
  }
}
