// Who wrote which passage, as runs of [length, writer id] covering the text in order (the
// server's form), kept in step with every change shown: inserts belong to their author,
// retained text keeps its writer, deleted text is gone.

import { codePointLength } from "./operation.js";

function push(runs, length, writer) {
  if (length <= 0) return;
  const last = runs[runs.length - 1];
  if (last && last[1] === writer) last[0] += length;
  else runs.push([length, writer]);
}

/** The runs after `op` made by `writer`. */
export function applyToRuns(runs, op, writer) {
  const result = [];
  let index = 0;
  let used = 0;
  for (const component of op) {
    if (typeof component === "string") {
      push(result, codePointLength(component), writer);
      continue;
    }
    let left = Math.abs(component);
    while (left > 0 && index < runs.length) {
      const [length, owner] = runs[index];
      const take = Math.min(left, length - used);
      if (component > 0) push(result, take, owner);
      left -= take;
      used += take;
      if (used === length) {
        index += 1;
        used = 0;
      }
    }
  }
  return result;
}
