// A small Prometheus registry (text exposition format 0.0.4): counters, gauges, histograms.
// Names carry their unit (`_seconds`, `_total`, `_bytes`) as Prometheus conventions ask.

type Labels = Record<string, string>
const labelText = (l?: Labels): string =>
  l && Object.keys(l).length ? `{${Object.entries(l).map(([k, v]) => `${k}="${v.replace(/["\\\n]/g, '_')}"`).join(',')}}` : ''

interface Metric { name: string; help: string; type: 'counter' | 'gauge' | 'histogram'; render(): string[] }

export class Counter implements Metric {
  readonly type = 'counter' as const
  private readonly values = new Map<string, number>()
  /** `read`: a total kept elsewhere (e.g. the process's CPU time), read when scraped. */
  constructor(readonly name: string, readonly help: string, private readonly read?: () => number) {}
  inc(by = 1, labels?: Labels): void { const k = labelText(labels); this.values.set(k, (this.values.get(k) ?? 0) + by) }
  get(labels?: Labels): number { return this.read ? this.read() : this.values.get(labelText(labels)) ?? 0 }
  render(): string[] { return this.read ? [`${this.name} ${this.read()}`] : [...this.values].map(([k, v]) => `${this.name}${k} ${v}`) }
}

export class Gauge implements Metric {
  readonly type = 'gauge' as const
  private value = 0
  constructor(readonly name: string, readonly help: string, private readonly read?: () => number) {}
  set(v: number): void { this.value = v }
  get(): number { return this.read ? this.read() : this.value }
  render(): string[] { return [`${this.name} ${this.get()}`] }
}

export class Histogram implements Metric {
  readonly type = 'histogram' as const
  private readonly counts: number[]
  private sum = 0
  private count = 0
  constructor(readonly name: string, readonly help: string, private readonly buckets: number[]) {
    this.counts = buckets.map(() => 0)
  }
  observe(v: number): void {
    this.sum += v
    this.count++
    for (let i = 0; i < this.buckets.length; i++) if (v <= this.buckets[i]!) this.counts[i]!++
  }
  render(): string[] {
    return [
      ...this.buckets.map((b, i) => `${this.name}_bucket{le="${b}"} ${this.counts[i]}`),
      `${this.name}_bucket{le="+Inf"} ${this.count}`, `${this.name}_sum ${this.sum}`, `${this.name}_count ${this.count}`,
    ]
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = []
  counter(name: string, help: string, read?: () => number): Counter { return this.add(new Counter(name, help, read)) }
  gauge(name: string, help: string, read?: () => number): Gauge { return this.add(new Gauge(name, help, read)) }
  histogram(name: string, help: string, buckets: number[]): Histogram { return this.add(new Histogram(name, help, buckets)) }
  private add<M extends Metric>(m: M): M { this.metrics.push(m); return m }
  /** The registry in Prometheus text format. */
  render(): string {
    return this.metrics.flatMap((m) => [`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`, ...m.render()]).join('\n') + '\n'
  }
}
