// The loaded rules, indexed by event name so that an event only ever looks at the rules that listen to it.
import type { RuleEvent } from '../event/event.js';
import type { Rule } from './rule.js';
import type { LabelSpec } from './schema.js';

export class RuleSet {
  readonly rules: readonly Rule[];
  /** Labels declared in the rule files' `labels:` sections, by name. */
  readonly labels: ReadonlyMap<string, LabelSpec>;
  private readonly byEvent = new Map<string, Rule[]>();

  constructor(rules: readonly Rule[], labels: readonly LabelSpec[] = []) {
    this.rules = rules;
    this.labels = new Map(labels.map((label) => [label.name, label]));
    for (const rule of rules) {
      for (const name of rule.on) {
        const list = this.byEvent.get(name) ?? [];
        list.push(rule);
        this.byEvent.set(name, list);
      }
    }
  }

  /** Rules listening to any of the event's names, in file order, each once. */
  candidates(event: RuleEvent): Rule[] {
    const lists = event.names.map((name) => this.byEvent.get(name)).filter((list): list is Rule[] => list !== undefined);
    if (lists.length === 0) return [];
    if (lists.length === 1) return lists[0]!;
    const seen = new Set<Rule>();
    const merged: Rule[] = [];
    for (const list of lists) for (const rule of list) if (!seen.has(rule)) seen.add(rule), merged.push(rule);
    return merged.sort((a, b) => a.order - b.order);
  }

  find(name: string): Rule | undefined {
    return this.rules.find((rule) => rule.name === name);
  }
}
