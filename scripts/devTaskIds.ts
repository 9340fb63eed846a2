// The dev build's task ids live with the engine, which must recognise both builds' tasks in a run's timeline.
export { devTaskId } from '../src/azdo/devTaskIds';
