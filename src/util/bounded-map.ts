// A cache with a fixed bound: a Map that forgets its oldest entry (in insertion order) once a
// `set` takes it past `max` entries.

export class BoundedMap<K, V> extends Map<K, V> {
  constructor(readonly max: number) {
    super()
  }

  override set(key: K, value: V): this {
    super.set(key, value)
    if (this.size > this.max) this.delete(this.keys().next().value as K)
    return this
  }
}
