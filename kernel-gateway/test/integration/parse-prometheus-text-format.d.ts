declare module 'parse-prometheus-text-format' {
  /** One metric family of the text exposition format. */
  interface IMetricFamily {
    name: string;
    help: string;
    type: string;
    metrics: {
      labels?: Record<string, string>;
      value?: string;
      buckets?: Record<string, string>;
      count?: string;
      sum?: string;
    }[];
  }
  /** Parses Prometheus text exposition format; throws on malformed text. */
  export default function parsePrometheusTextFormat(
    text: string
  ): IMetricFamily[];
}
