// @clade/metrics: reproducible evaluation for semantic image synthesis.
export { eigh, eigvalsh, type SymmetricEigen } from './linalg/eigh';
export { pivotedCholesky, eigenSqrtFactor, congruence, type PsdFactor } from './linalg/factor';
export { GaussianAccumulator, checkStats, type GaussianStats } from './stats/gaussian';
export {
  frechetDistance,
  FRECHET_METHODS,
  type FrechetMethod,
  type FrechetOptions,
  type FrechetResult,
} from './stats/frechet';
export { FeatureBuffer, checkFeatures, type FeatureMatrix } from './stats/features';
export {
  kernelInceptionDistance,
  kidFromSubsets,
  kidSubsets,
  mmd2Unbiased,
  type KidOptions,
  type KidResult,
  type KidSubset,
} from './stats/kid';
export { saveStats, loadStats, statsToNpz, statsFromNpz } from './stats/stats-file';
