// Pipelines created through the API: numbered globally (`id`) and per project (`iid`), never run.

import type { FakePipeline } from './types.js';

export type PipelineSeed = Omit<FakePipeline, 'id' | 'iid' | 'status' | 'source'>;

export class Pipelines {
  private readonly byProject = new Map<number, FakePipeline[]>();
  private nextId = 40_001;

  create(seed: PipelineSeed): FakePipeline {
    const existing = this.byProject.get(seed.project_id) ?? [];
    const pipeline: FakePipeline = {
      ...seed,
      id: this.nextId++,
      iid: existing.length + 1,
      status: 'created',
      source: 'api',
    };
    existing.push(pipeline);
    this.byProject.set(seed.project_id, existing);
    return pipeline;
  }

  /** Pipelines of one project, oldest first. */
  list(projectId: number): FakePipeline[] {
    return [...(this.byProject.get(projectId) ?? [])];
  }
}
