/** Writing a benchmark's report: the machine it ran on, files formatted as the repo's Prettier. */
import { writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import * as prettier from 'prettier';
import { round } from './util.ts';

/** Writes a result file as the repository's Prettier would format it (format:check covers it). */
export async function writePretty(file: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

export interface MachineInfo {
  cpus: number;
  cpuModel: string | undefined;
  memoryGiB: number;
  kernel: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    kernel: release(),
  };
}

/** `2 × <model>, 23.5 GiB, Linux <kernel>, Node <version>`: the line a report starts with. */
export function describeMachine(m: MachineInfo = machineInfo()): string {
  return `${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, Linux ${m.kernel}, Node ${process.version}`;
}
