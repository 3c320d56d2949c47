// The drawing canvas: white ink on black as in MNIST, drawn with a pointer (mouse, pen, touch);
// after each stroke `onDigit` gets the ink as a coverage map in [0, 1].
import { el } from './dom.js';

export const PAD_SIZE = 280;
const INK_WIDTH = 22;

export class DrawPad {
  readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private last: { x: number; y: number } | null = null;

  constructor(private readonly onDigit: (ink: Float32Array) => void) {
    this.canvas = el('canvas', { width: PAD_SIZE, height: PAD_SIZE, class: 'pad', 'data-testid': 'draw-canvas', 'aria-label': 'draw a digit here' });
    this.ctx = this.canvas.getContext('2d', { willReadFrequently: true })!;
    this.clear();
    this.canvas.addEventListener('pointerdown', (e) => {
      this.canvas.setPointerCapture(e.pointerId);
      this.last = this.point(e);
      this.stroke(this.last, this.last);
    });
    this.canvas.addEventListener('pointermove', (e) => {
      if (!this.last) return;
      const p = this.point(e);
      this.stroke(this.last, p);
      this.last = p;
    });
    const end = (): void => {
      if (!this.last) return;
      this.last = null;
      this.onDigit(this.ink());
    };
    this.canvas.addEventListener('pointerup', end);
    this.canvas.addEventListener('pointercancel', end);
  }

  clear(): void {
    this.ctx.fillStyle = '#000';
    this.ctx.fillRect(0, 0, PAD_SIZE, PAD_SIZE);
  }

  /** Paints a 28x28 image (pixels in [0, 1]) over the whole pad, e.g. a test sample. */
  paint(raw: Float32Array): void {
    const cell = PAD_SIZE / 28;
    for (let i = 0; i < raw.length; i++) {
      const v = Math.round(raw[i]! * 255);
      this.ctx.fillStyle = `rgb(${v},${v},${v})`;
      this.ctx.fillRect((i % 28) * cell, Math.floor(i / 28) * cell, cell, cell);
    }
  }

  ink(): Float32Array {
    const { data } = this.ctx.getImageData(0, 0, PAD_SIZE, PAD_SIZE);
    const out = new Float32Array(PAD_SIZE * PAD_SIZE);
    for (let i = 0; i < out.length; i++) out[i] = data[i * 4]! / 255;
    return out;
  }

  private point(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * PAD_SIZE) / r.width, y: ((e.clientY - r.top) * PAD_SIZE) / r.height };
  }

  private stroke(a: { x: number; y: number }, b: { x: number; y: number }): void {
    const c = this.ctx;
    c.strokeStyle = '#fff';
    c.lineWidth = INK_WIDTH;
    c.lineCap = 'round';
    c.lineJoin = 'round';
    c.beginPath();
    c.moveTo(a.x, a.y);
    c.lineTo(b.x + 0.01, b.y);
    c.stroke();
  }
}
