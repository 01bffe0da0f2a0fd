import { activityTriggerOf } from './workflow-draft';

describe('activityTriggerOf', () => {
  it('matches the step: its tool (unless none), its operation and its extension anywhere', () => {
    expect(activityTriggerOf('file:created:.csv')).toEqual({
      type: 'activity',
      match: { operation: 'created', file_path: '**/*.csv' },
      max_runs_per_minute: 10,
    });
    expect(activityTriggerOf('git:push')).toEqual({ type: 'activity', match: { operation: 'push', tool: 'git' }, max_runs_per_minute: 10 });
  });
});
