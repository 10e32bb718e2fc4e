/**
 * A small Prometheus registry (text exposition format 0.0.4), enough for counters, gauges and
 * fixed-bucket histograms with labels. Hot paths call `observe`/`inc` on pre-resolved children so a
 * request costs a map lookup at most.
 */

type Labels = Readonly<Record<string, string>>;

function labelKey(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return keys.map((key) => `${key}="${escapeLabel(labels[key]!)}"`).join(',');
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatNumber(value: number): string {
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return Number.isNaN(value) ? 'NaN' : String(value);
}

interface Metric {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  render(): string[];
}

export class Counter implements Metric {
  readonly type = 'counter' as const;
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [...this.values].map(([key, value]) => `${this.name}${key ? `{${key}}` : ''} ${formatNumber(value)}`);
  }
}

export class Gauge implements Metric {
  readonly type = 'gauge' as const;
  private readonly values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  set(value: number, labels: Labels = {}): void {
    this.values.set(labelKey(labels), value);
  }
  get(labels: Labels = {}): number | undefined {
    return this.values.get(labelKey(labels));
  }
  render(): string[] {
    return [...this.values].map(([key, value]) => `${this.name}${key ? `{${key}}` : ''} ${formatNumber(value)}`);
  }
}

export class HistogramChild {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(private readonly buckets: readonly number[]) {
    this.counts = new Array<number>(buckets.length).fill(0);
  }
  /**
   * Adds observations already counted per bucket (the simulator's exact HDR histograms, binned):
   * `perBucket[i]` values fell in (buckets[i-1], buckets[i]], `above` above the last bound.
   */
  addCounts(perBucket: readonly number[], above: number, sum: number): void {
    for (let i = 0; i < this.counts.length; i++) this.counts[i]! += perBucket[i] ?? 0;
    this.count += perBucket.reduce((a, b) => a + b, 0) + above;
    this.sum += sum;
  }
  observe(value: number): void {
    this.sum += value;
    this.count += 1;
    for (let i = 0; i < this.buckets.length; i++) {
      if (value <= this.buckets[i]!) {
        this.counts[i]! += 1;
        return;
      }
    }
  }
}

export class Histogram implements Metric {
  readonly type = 'histogram' as const;
  private readonly children = new Map<string, HistogramChild>();
  constructor(readonly name: string, readonly help: string, readonly buckets: readonly number[]) {}
  child(labels: Labels = {}): HistogramChild {
    const key = labelKey(labels);
    let child = this.children.get(key);
    if (!child) {
      child = new HistogramChild(this.buckets);
      this.children.set(key, child);
    }
    return child;
  }
  observe(value: number, labels: Labels = {}): void {
    this.child(labels).observe(value);
  }
  render(): string[] {
    const lines: string[] = [];
    for (const [key, child] of this.children) {
      let cumulative = 0;
      const prefix = key ? `${key},` : '';
      this.buckets.forEach((bound, i) => {
        cumulative += child.counts[i]!;
        lines.push(`${this.name}_bucket{${prefix}le="${formatNumber(bound)}"} ${cumulative}`);
      });
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${child.count}`);
      lines.push(`${this.name}_sum${key ? `{${key}}` : ''} ${formatNumber(child.sum)}`);
      lines.push(`${this.name}_count${key ? `{${key}}` : ''} ${child.count}`);
    }
    return lines;
  }
}

/** Seconds-based latency buckets from 0.5 ms to 10 s. */
export const LATENCY_BUCKETS_S: readonly number[] = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export class MetricsRegistry {
  private readonly metrics = new Map<string, Metric>();

  counter(name: string, help: string): Counter {
    return this.register(name, () => new Counter(name, help), 'counter');
  }
  gauge(name: string, help: string): Gauge {
    return this.register(name, () => new Gauge(name, help), 'gauge');
  }
  histogram(name: string, help: string, buckets: readonly number[] = LATENCY_BUCKETS_S): Histogram {
    return this.register(name, () => new Histogram(name, help, buckets), 'histogram');
  }

  /** The Prometheus text exposition of every metric. */
  render(): string {
    const lines: string[] = [];
    for (const metric of this.metrics.values()) {
      lines.push(`# HELP ${metric.name} ${metric.help}`, `# TYPE ${metric.name} ${metric.type}`, ...metric.render());
    }
    return `${lines.join('\n')}\n`;
  }

  private register<T extends Metric>(name: string, create: () => T, type: Metric['type']): T {
    const existing = this.metrics.get(name);
    if (existing) {
      if (existing.type !== type) throw new Error(`metric ${name} is already registered as a ${existing.type}`);
      return existing as T;
    }
    const metric = create();
    this.metrics.set(name, metric);
    return metric;
  }
}
