/**
 * HdrHistogram helpers (hdr-histogram-js). Values are recorded in MICROSECONDS; percentiles are
 * reported in milliseconds. Histograms travel between threads and files as compressed base64, and
 * merging decoded histograms is exact (bucket counts add), so shard results merge without loss.
 */
import * as hdr from 'hdr-histogram-js';

export type Histogram = hdr.Histogram;

/** Latency percentiles in milliseconds, as result documents carry them. */
export interface Percentiles {
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

/** 1 µs .. 1 h, 3 significant digits; values above the top are clamped (an hour is "timeout"). */
const HIGHEST_US = 3_600_000_000;

export function createHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    bitBucketSize: 32,
    autoResize: false,
    useWebAssembly: false,
  });
}

/** Records a duration given in milliseconds (fractional ok), clamped into the trackable range. */
export function recordMs(histogram: Histogram, ms: number): void {
  let us = Math.round(ms * 1000);
  if (!(us >= 1)) us = 1;
  else if (us > HIGHEST_US) us = HIGHEST_US;
  histogram.recordValue(us);
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  // Re-home into our standard shape so merges never depend on the encoder's settings.
  const histogram = createHistogram();
  histogram.add(decoded);
  decoded.destroy();
  return histogram;
}

/** Adds `source` into `target` (exact). Accepts an encoded histogram too. */
export function mergeInto(target: Histogram, source: Histogram | string): void {
  if (typeof source === 'string') {
    if (source === '') return;
    const decoded = decodeHistogram(source);
    target.add(decoded);
    decoded.destroy();
  } else {
    target.add(source);
  }
}

/** Merges encoded histograms into one encoded histogram. */
export function mergeEncoded(encoded: readonly string[]): string {
  const total = createHistogram();
  for (const e of encoded) mergeInto(total, e);
  const out = encodeHistogram(total);
  total.destroy();
  return out;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** p50/p90/p99/p99.9/max in milliseconds (0s for an empty histogram). */
export function percentilesMs(histogram: Histogram): Percentiles {
  if (histogram.totalCount === 0) return { p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  return {
    p50: round3(histogram.getValueAtPercentile(50) / 1000),
    p90: round3(histogram.getValueAtPercentile(90) / 1000),
    p99: round3(histogram.getValueAtPercentile(99) / 1000),
    p999: round3(histogram.getValueAtPercentile(99.9) / 1000),
    // The bucket's highest equivalent value: identical before and after encoding (exact merges).
    max: round3(histogram.getValueAtPercentile(100) / 1000),
  };
}

export function percentileMs(histogram: Histogram, percentile: number): number {
  return histogram.totalCount === 0 ? 0 : round3(histogram.getValueAtPercentile(percentile) / 1000);
}

/** The parts of hdr-histogram-js's JsHistogram (what createHistogram builds) that walk its buckets. */
interface HistogramCells {
  countsArrayLength: number;
  getCountAtIndex(index: number): number;
  valueFromIndex(index: number): number;
  medianEquivalentValue(value: number): number;
}

/**
 * The histogram binned into fixed upper bounds in seconds (Prometheus `le` buckets): values per bucket
 * (not cumulative), values above the last bound, and the sum in seconds. Each HDR cell goes to the
 * bucket of its lowest value, so a value within the cell's 0.1% of a bound may land one bucket up.
 */
export function bucketCountsSeconds(histogram: Histogram, boundsS: readonly number[]): { counts: number[]; above: number; sumS: number } {
  const cells = histogram as unknown as HistogramCells;
  const counts = new Array<number>(boundsS.length).fill(0);
  const boundsUs = boundsS.map((b) => b * 1_000_000);
  let above = 0;
  let sumUs = 0;
  let remaining = histogram.totalCount;
  for (let index = 0; index < cells.countsArrayLength && remaining > 0; index++) {
    const n = cells.getCountAtIndex(index);
    if (n === 0) continue;
    remaining -= n;
    const value = cells.valueFromIndex(index);
    sumUs += cells.medianEquivalentValue(value) * n;
    let bucket = 0;
    while (bucket < boundsUs.length && value > boundsUs[bucket]!) bucket++;
    if (bucket < boundsUs.length) counts[bucket]! += n;
    else above += n;
  }
  return { counts, above, sumS: sumUs / 1_000_000 };
}
