/**
 * Captures what n8n would log while a node runs: every line a node context writes through
 * `this.logger` (n8n-core takes it from the DI container's Logger) and every line n8n-core itself
 * writes through n8n-workflow's LoggerProxy, with their metadata — so a test can say that no
 * secret ever reaches n8n's log.
 */
import { Logger } from '@n8n/backend-common';
import { Container } from '@n8n/di';
import { LoggerProxy } from 'n8n-workflow';

export interface LogLine {
	level: 'error' | 'warn' | 'info' | 'debug';
	message: string;
	metadata?: unknown;
}

export interface CapturedLogs {
	lines: LogLine[];
	/** Every line, message and metadata, as one text to search. */
	text(): string;
	clear(): void;
}

/** Installs the capturing logger for the rest of the test file; contexts created afterwards use it. */
export function captureN8nLogs(): CapturedLogs {
	const lines: LogLine[] = [];
	const at =
		(level: LogLine['level']) =>
		(message: string, metadata?: unknown): void => {
			lines.push({ level, message: String(message), metadata });
		};
	const logger = {
		error: at('error'),
		warn: at('warn'),
		info: at('info'),
		debug: at('debug'),
		scoped() {
			return logger;
		},
	};
	Container.set(Logger, logger as unknown as Logger);
	LoggerProxy.init(logger);
	return {
		lines,
		text: () => lines.map((line) => `${line.level} ${line.message} ${JSON.stringify(line.metadata ?? null)}`).join('\n'),
		clear: () => {
			lines.length = 0;
		},
	};
}
