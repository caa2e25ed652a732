/** Guided tutorials: the panel the layout mounts, and the tutorials as data. */
export { TutorialPanel } from './TutorialPanel';
export { TUTORIALS } from './content';
export type { Tutorial, Step, StepAction, StepContext, TutorialApi } from './types';
