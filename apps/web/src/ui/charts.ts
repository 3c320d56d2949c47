// The page's Vega-Lite charts (vega-embed): live training curves, streamed point by point into
// named datasets, and each input quantizer's calibration histogram with every method's amax
// (@pq/app-kit's report chart, made zoomable here).
import embed, { type Result } from 'vega-embed';
import { Error as VEGA_ERROR, changeset } from 'vega';
import { type CalibHistogram, type TopLevelSpec, VL_SCHEMA, amaxByMethod, histogramSpec } from '@pq/app-kit/report';

// Vega warns about the empty datasets of a chart waiting for its first points: errors only.
const OPTIONS = { actions: { export: true, source: false, compiled: false, editor: false }, renderer: 'svg' as const, logLevel: VEGA_ERROR };

const PHASE_COLOR = {
  field: 'phase', type: 'nominal' as const, title: 'phase', legend: { orient: 'top' as const, direction: 'horizontal' as const },
  scale: { domain: ['float', 'QAT'], range: ['#1f77b4', '#ff7f0e'] },
};

const curvesSpec: TopLevelSpec = {
  $schema: VL_SCHEMA,
  // The data arrives after the first layout: re-layout (axis labels grow) as it does.
  autosize: { type: 'pad', resize: true },
  hconcat: [
    {
      title: 'training loss (per step)',
      width: 340, height: 180,
      data: { name: 'loss' },
      mark: { type: 'line', strokeWidth: 1.2 },
      encoding: {
        x: { field: 'step', type: 'quantitative', title: 'step' },
        y: { field: 'loss', type: 'quantitative', title: 'NLL loss' },
        color: PHASE_COLOR,
        tooltip: [{ field: 'phase' }, { field: 'step' }, { field: 'loss', format: '.4f' }],
      },
      params: [{ name: 'zoomLoss', select: 'interval', bind: 'scales' }],
    },
    {
      title: 'test accuracy',
      width: 340, height: 180,
      data: { name: 'accuracy' },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch (float, then QAT)' },
        y: { field: 'accuracy', type: 'quantitative', title: 'accuracy', axis: { format: '%' }, scale: { zero: false } },
        color: PHASE_COLOR,
        tooltip: [{ field: 'phase' }, { field: 'epoch', format: '.2f' }, { field: 'accuracy', format: '.2%' }],
      },
    },
  ],
};

/** The live loss / accuracy chart; points are batched and inserted once per animation frame. */
export class LiveCurves {
  private pending: { loss: object[]; accuracy: object[] } = { loss: [], accuracy: [] };
  private scheduled = false;

  private constructor(private readonly result: Result) {}

  static async create(container: HTMLElement): Promise<LiveCurves> {
    return new LiveCurves(await embed(container, curvesSpec, OPTIONS));
  }

  addLoss(phase: string, step: number, loss: number): void {
    this.pending.loss.push({ phase, step, loss });
    this.schedule();
  }

  addAccuracy(phase: string, epoch: number, accuracy: number): void {
    this.pending.accuracy.push({ phase, epoch, accuracy });
    this.schedule();
  }

  clear(): void {
    const view = this.result.view;
    view.change('loss', changeset().remove(() => true)).change('accuracy', changeset().remove(() => true));
    void view.runAsync();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const { loss, accuracy } = this.pending;
    this.pending = { loss: [], accuracy: [] };
    await this.result.view.change('loss', changeset().insert(loss)).change('accuracy', changeset().insert(accuracy)).runAsync();
  }
}

/** A quantizer's histogram with each method's amax, the top panel zoomable (drag) and with tooltips. */
export async function showHistogram(
  container: HTMLElement, h: CalibHistogram, byMethod: Record<string, { amax: Record<string, number[]> }>,
): Promise<void> {
  const spec = histogramSpec(h, amaxByMethod(byMethod, h.quantizer)) as TopLevelSpec & { vconcat: { layer: Record<string, unknown>[] }[] };
  const area = spec.vconcat[0]!.layer[0]!;
  area['params'] = [{ name: 'zoom', select: { type: 'interval', encodings: ['x'] }, bind: 'scales' }];
  (area['encoding'] as Record<string, unknown>)['tooltip'] = [{ field: 'x', title: '|x|', format: '.4f' }, { field: 'count' }];
  await embed(container, spec, OPTIONS);
}
