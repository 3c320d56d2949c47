// @pq/app-kit/report: what the apps' report.html pages are made of.
export { renderSvg, escapeHtml, htmlPage, htmlTable, warningsBox, VL_SCHEMA } from './svg.js';
export {
  type CalibHistogram, type AmaxGroup, METHOD_COLORS, MAX_HISTOGRAM_POINTS, COINCIDE_FRACTION, ZOOM_BINS, methodColor, histogramPoints,
  amaxByMethod, groupCoinciding, clippedShare, fullestBin, binsIn, countTicks, histogramSpec,
} from './histogram.js';
export { type EpochRecord, type TrainingCurves, trainingCurvesSpec } from './curves.js';
export type { TopLevelSpec } from 'vega-lite';
