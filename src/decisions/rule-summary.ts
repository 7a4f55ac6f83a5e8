// A loaded rule as the page lists it: its name, events, where it is written, which projects, its schedule.
import { ruleSource, type Rule } from '../rules/index.js';

export function ruleSummary(rule: Rule) {
  const schedule = rule.schedule && {
    cron: rule.schedule.cron,
    scope: 'project' in rule.schedule.scope ? `project ${rule.schedule.scope.project}` : `group ${rule.schedule.scope.group}`,
    limit: rule.schedule.limit,
  };
  return { name: rule.name, on: rule.on, source: ruleSource(rule), file: rule.file, projects: rule.projects, schedule };
}
