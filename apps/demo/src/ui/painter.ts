import { strokeSegment } from '../lib/brush';
import { floodFill } from '../lib/flood-fill';
import { cloneMask, type LabelMask } from '../lib/label-mask';
import { maskToColorRgba } from '../lib/mask-codec';
import { ERASE_ID } from '../lib/palette';
import { UndoStack } from '../lib/undo-stack';
import { drawRgba } from './dom';

export const TOOLS = ['brush', 'fill', 'eraser'] as const;
export type Tool = (typeof TOOLS)[number];

/**
 * The mask canvas: pointer strokes with the brush or eraser, clicks with the bucket, undo/redo.
 * The mask lives in a LabelMask (ids); the canvas only shows it in the ADE20K colours.
 * `onChange` fires after every edit (during a stroke too), so synthesis can follow live.
 */
export class Painter {
  tool: Tool = 'brush';
  classId = 3;
  /** Brush radius in mask pixels. */
  radius = 12;
  private mask: LabelMask;
  private readonly history = new UndoStack<LabelMask>(50);
  private last: { x: number; y: number } | null = null;
  private readonly rgba: Uint8ClampedArray;

  constructor(
    readonly canvas: HTMLCanvasElement,
    initial: LabelMask,
    private readonly onChange: () => void,
  ) {
    this.mask = cloneMask(initial);
    this.rgba = new Uint8ClampedArray(initial.ids.length * 4);
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    canvas.addEventListener('pointerup', () => this.up());
    canvas.addEventListener('pointercancel', () => this.up());
    this.render();
  }

  get current(): LabelMask {
    return this.mask;
  }

  get canUndo(): boolean {
    return this.history.canUndo;
  }

  get canRedo(): boolean {
    return this.history.canRedo;
  }

  /** Replaces the whole mask (a loaded file, an example) as one undoable step. */
  setMask(next: LabelMask): void {
    this.history.record(this.mask);
    this.mask = cloneMask(next);
    this.changed();
  }

  undo(): void {
    const prev = this.history.undo(this.mask);
    if (prev) {
      this.mask = prev;
      this.changed();
    }
  }

  redo(): void {
    const next = this.history.redo(this.mask);
    if (next) {
      this.mask = next;
      this.changed();
    }
  }

  private toMask(e: PointerEvent): { x: number; y: number } {
    const r = this.canvas.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * this.mask.width, y: ((e.clientY - r.top) / r.height) * this.mask.height };
  }

  private down(e: PointerEvent): void {
    if (e.button !== 0) return;
    const p = this.toMask(e);
    if (this.tool === 'fill') {
      const before = cloneMask(this.mask);
      if (floodFill(this.mask, p.x, p.y, this.classId) > 0) {
        this.history.record(before);
        this.changed();
      }
      return;
    }
    this.canvas.setPointerCapture(e.pointerId);
    this.history.record(cloneMask(this.mask)); // one undo step per stroke
    this.last = p;
    this.paint(p);
  }

  private move(e: PointerEvent): void {
    if (!this.last) return;
    // Coalesced events keep fast strokes smooth when the main thread was busy synthesizing.
    const events = e.getCoalescedEvents?.() ?? [];
    for (const ev of events.length ? events : [e]) this.paint(this.toMask(ev));
  }

  private up(): void {
    this.last = null;
  }

  private paint(p: { x: number; y: number }): void {
    const from = this.last ?? p;
    const id = this.tool === 'eraser' ? ERASE_ID : this.classId;
    const n = strokeSegment(this.mask, from.x, from.y, p.x, p.y, this.radius, id);
    this.last = p;
    if (n > 0) this.changed();
  }

  private changed(): void {
    this.render();
    this.onChange();
  }

  private render(): void {
    drawRgba(this.canvas, maskToColorRgba(this.mask, this.rgba.length === this.mask.ids.length * 4 ? this.rgba : undefined), this.mask.width, this.mask.height);
  }
}
