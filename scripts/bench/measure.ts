/** Peak RSS of a process found by its command line, and small statistics. */
import { readdirSync, readFileSync } from 'fs';

/**
 * Pids of Node processes (argv[0] is a `node` binary) whose command line contains every one of
 * `parts` — not a shell that merely carries the same arguments (the harness may wrap spawns).
 */
export function pidsMatching(parts: string[]): number[] {
	const pids: number[] = [];
	for (const entry of readdirSync('/proc')) {
		if (!/^\d+$/.test(entry)) continue;
		try {
			const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
			const cmdline = argv.join(' ');
			if (/(^|\/)node$/.test(argv[0]) && parts.every((part) => cmdline.includes(part))) pids.push(Number(entry));
		} catch {
			// Gone meanwhile.
		}
	}
	return pids;
}

/** VmHWM (peak resident set) in bytes, or undefined once the process is gone. */
export function peakRssBytes(pid: number): number | undefined {
	try {
		const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
		return match ? Number(match[1]) * 1024 : undefined;
	} catch {
		return undefined;
	}
}

/**
 * Polls the peak RSS of the process whose command line holds `parts` until `stop()`; VmHWM only
 * grows, so the last reading before the process ends is its peak (to within one interval).
 */
export function watchPeakRss(parts: string[], intervalMs = 50): { stop(): number | undefined } {
	let pid: number | undefined;
	let peak: number | undefined;
	const timer = setInterval(() => {
		pid ??= pidsMatching(parts)[0];
		if (pid === undefined) return;
		const value = peakRssBytes(pid);
		if (value !== undefined) peak = Math.max(peak ?? 0, value);
	}, intervalMs);
	return {
		stop() {
			clearInterval(timer);
			return peak;
		},
	};
}

export function median(values: number[]): number {
	if (values.length === 0) return NaN;
	const sorted = [...values].sort((x, y) => x - y);
	const middle = Math.floor(sorted.length / 2);
	return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
