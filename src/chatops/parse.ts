// Finds the command lines addressed to the bot in a note: `@bot label ~bug ~"needs review"`.

import type { CommandArgument } from '../event/event.js';
import { readableLines } from './readable-lines.js';

export interface ParsedCommand {
  name: string;
  args: CommandArgument[];
  /** The command line as it shows (without hidden HTML), for replies. */
  line: string;
}

/**
 * Reads a note's Markdown and returns its commands, in order. A command is a line that starts with
 * `@<bot username>` (at most three spaces before it: four would make it a code block) followed by a
 * command name. Lines inside fenced code blocks (``` or ~~~), GitLab's `>>>` block quotes and
 * `>` quotes are not commands: quoting or showing a command must never run it. Nor is what no reader
 * sees (see readableLines): a line inside an HTML comment, a tag or a script, and the hidden parts of
 * a command line (`@bot label ~bug <!-- ~security -->` labels `bug` only).
 */
export function parseCommands(body: string, botUsername: string): ParsedCommand[] {
  const mention = new RegExp(`^ {0,3}@${escapeRegExp(botUsername)}(?![\\w.-])\\s+([A-Za-z][\\w-]*)(.*)$`, 'i');
  const commands: ParsedCommand[] = [];
  for (const { source, visible } of readableLines(body)) {
    // The mention starts the line as written; the command is read as it shows.
    const match = mention.test(source) ? mention.exec(visible) : null;
    if (!match) continue;
    commands.push({ name: match[1]!.toLowerCase(), args: splitArguments(match[2] ?? ''), line: visible.trim() });
  }
  return commands;
}

/** Splits arguments the way GitLab writes references: `~bug`, `~"needs review"`, `~scope::value`, `@alice`, `"two words"`, `word`. */
export function splitArguments(text: string): CommandArgument[] {
  const args: CommandArgument[] = [];
  const token = /([~@]?)(?:"([^"]*)"|([^\s"]+))/g;
  for (const match of text.matchAll(token)) {
    const sigil = match[1] ?? '';
    const value = match[2] ?? match[3] ?? '';
    if (value === '') continue;
    args.push({ value, kind: sigil === '~' ? 'label' : sigil === '@' ? 'user' : 'word', raw: match[0] });
  }
  return args;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
