// Milestones of projects: numbered globally, found by title; merge requests and issues name theirs by title.

export interface FakeMilestone {
  id: number;
  project_id: number;
  title: string;
  state: 'active' | 'closed';
}

export class Milestones {
  private readonly all: FakeMilestone[] = [];
  private nextId = 60_001;

  add(seed: Omit<FakeMilestone, 'id' | 'state'> & { state?: FakeMilestone['state'] }): FakeMilestone {
    const milestone: FakeMilestone = { state: 'active', ...seed, id: this.nextId++ };
    this.all.push(milestone);
    return milestone;
  }

  byId(id: number): FakeMilestone | undefined {
    return this.all.find((milestone) => milestone.id === id);
  }

  list(projectId: number): FakeMilestone[] {
    return this.all.filter((milestone) => milestone.project_id === projectId);
  }
}
