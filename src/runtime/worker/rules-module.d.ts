// The rule files, bundled by `npm run build:worker` after checking them as `rulebot check` does.
declare module 'rulebot:rules' {
  const sources: { path: string; text: string }[];
  export default sources;
}
