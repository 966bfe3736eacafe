/**
 * A local HTTP server standing in for a Slack incoming webhook: records every POST body and
 * answers `ok` like Slack does.
 */
import { createServer } from 'http';

export interface SinkMessage {
	path: string;
	body: unknown;
	at: number;
}

export class WebhookSink {
	readonly messages: SinkMessage[] = [];
	url = '';

	private readonly server = createServer((request, response) => {
		let raw = '';
		request.on('data', (chunk: Buffer) => {
			raw += chunk.toString();
		});
		request.on('end', () => {
			let body: unknown = raw;
			try {
				body = JSON.parse(raw);
			} catch {
				// Not JSON: kept as text.
			}
			this.messages.push({ path: request.url ?? '/', body, at: Date.now() });
			response.writeHead(200, { 'content-type': 'text/plain' });
			response.end('ok');
		});
	});

	static async start(): Promise<WebhookSink> {
		const sink = new WebhookSink();
		await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
		const address = sink.server.address();
		const port = typeof address === 'object' && address ? address.port : 0;
		sink.url = `http://127.0.0.1:${port}/services/T000/B000/e2e`;
		return sink;
	}

	/** The `text` of every message posted so far. */
	texts(): string[] {
		return this.messages.map((m) => String((m.body as { text?: unknown }).text ?? ''));
	}

	async stop(): Promise<void> {
		this.server.closeAllConnections();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}
}
