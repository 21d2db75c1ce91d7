export { GatewayMetrics } from './gateway-metrics.js';
export type { IGatewayMetricsSources } from './gateway-metrics.js';
