/**
 * What /proc tells about the processes and sockets of bench/flood.ts: CPU
 * time of a process (all its threads) or of a process and its descendants
 * (Kamailio forks its workers), and the datagrams the kernel dropped at a
 * UDP socket because its receive buffer was full.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's CPU times. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** The fields of /proc/<pid>/stat after "(comm)": state is [0], ppid [1], utime [11], stime [12]. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** User + system CPU time of a process (every thread), µs; undefined when it is gone or there is no /proc. */
export function processCpuUs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const fields = statFields(pid);
  return fields === undefined ? undefined : ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLOCK_TICKS;
}

/** CPU time of `pid` and every live descendant, µs. */
export function treeCpuUs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const fields = statFields(Number(entry));
    if (fields !== undefined) parents.set(Number(entry), Number(fields[1]));
  }
  if (!parents.has(pid)) return undefined;
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [child, parent] of parents) {
      if (!tree.has(child) && tree.has(parent)) {
        tree.add(child);
        grew = true;
      }
    }
  }
  let total = 0;
  for (const member of tree) total += processCpuUs(member) ?? 0;
  return total;
}

/** Datagrams dropped by the kernel at the IPv4 UDP sockets bound to `port` (last column of /proc/net/udp). */
export function udpDrops(port: number): number {
  try {
    const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
    let drops = 0;
    for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 13 || !fields[1]!.endsWith(`:${hexPort}`)) continue;
      drops += Number(fields[fields.length - 1]);
    }
    return drops;
  } catch {
    return 0;
  }
}

/**
 * CPU time of a process's live threads, µs, to the nanosecond the scheduler
 * keeps (the first field of each /proc/<pid>/task/<tid>/schedstat): the
 * clock ticks of /proc/<pid>/stat are 10 ms, too coarse for a run of a few
 * hundred requests. Threads that ended are not counted: for Node and
 * drachtio-server, whose threads live as long as the process, that is none.
 */
export function threadsCpuUs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    let ns = 0;
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // A thread that ended between the listing and the read.
      }
    }
    return ns / 1000;
  } catch {
    return undefined;
  }
}
