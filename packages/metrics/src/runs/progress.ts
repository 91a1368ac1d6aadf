/** A stage of an evaluation run that reports progress. */
export type RunStage = 'real' | 'fake' | 'segmenter';

/**
 * Called when a stage starts (a caller can time the stage from there); the function it returns is
 * called after each batch or image with how many of `total` are done.
 */
export type StageProgress = (stage: RunStage) => (done: number, total: number) => void;
