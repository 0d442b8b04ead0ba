/** Summarises a V8 .cpuprofile (from `node --cpu-prof`): self time by function and by package. */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

function where(url: string): string {
  if (!url) return '(native/VM)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1];
  if (url.startsWith('node:')) return 'node core';
  const ihf = /\/(libs|services)\/([^/]+)\//.exec(url);
  return ihf ? `${ihf[1]}/${ihf[2]}` : url.split('/').slice(-2).join('/');
}

export function summariseProfile(text: string, top = 25): string {
  const p = JSON.parse(text) as Profile;
  const total = p.endTime - p.startTime;
  const selfUs = new Map<number, number>();
  if (p.samples && p.timeDeltas) {
    for (let i = 0; i < p.samples.length; i++) {
      selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + (p.timeDeltas[i + 1] ?? 0));
    }
  }
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  let busy = 0;
  for (const n of p.nodes) {
    const us = selfUs.get(n.id) ?? 0;
    const name = n.callFrame.functionName || '(anonymous)';
    if (name === '(idle)' || name === '(program)') {
      if (name === '(program)') byFn.set(name, (byFn.get(name) ?? 0) + us);
      continue;
    }
    busy += us;
    const file = n.callFrame.url.split('/').slice(-1)[0];
    const key = `${name} ${file}:${n.callFrame.lineNumber + 1} [${where(n.callFrame.url)}]`;
    byFn.set(key, (byFn.get(key) ?? 0) + us);
    const pkg = name.startsWith('(') ? name : where(n.callFrame.url);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + us);
  }
  const pct = (us: number) => `${((100 * us) / Math.max(1, busy)).toFixed(1)}%`;
  const lines = [
    `## Service CPU profile: ${(total / 1e6).toFixed(1)} s wall, ${(busy / 1e6).toFixed(1)} s busy (self time, % of busy)`,
    '',
    '| self | where |',
    '|---|---|',
    ...[...byPkg.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 15)
      .map(([k, v]) => `| ${pct(v)} | ${k} |`),
    '',
    '| self | function |',
    '|---|---|',
    ...[...byFn.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `| ${pct(v)} | \`${k}\` |`),
    '',
  ];
  return lines.join('\n');
}
