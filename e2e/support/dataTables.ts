/**
 * n8n Data tables through n8n's own REST API (the editor's routes, with the owner's session), the
 * way a user creates one in the UI: in the owner's personal project, where the workflows the
 * suite imports live too (a Data table node reads only tables of its workflow's project).
 * n8n 1.123.81 and 2.41.1 serve the same routes.
 */
import type { N8nInstance } from './n8n';

export interface DataTableColumn {
	name: string;
	type: 'string' | 'number' | 'boolean' | 'date';
}

async function json<T>(response: Response, what: string): Promise<T> {
	const text = await response.text();
	if (!response.ok) throw new Error(`${what} → ${response.status} ${text.slice(0, 500)}`);
	return (JSON.parse(text) as { data: T }).data;
}

/** Creates a Data table holding `rows` and returns its id. Needs a logged-in owner (setupOwner/login). */
export async function createDataTable(
	n8n: N8nInstance,
	name: string,
	columns: DataTableColumn[],
	rows: Array<Record<string, string | number | boolean | null>>,
): Promise<string> {
	const project = await json<{ id: string }>(await n8n.rest('GET', '/rest/projects/personal'), 'GET /rest/projects/personal');
	const base = `/rest/projects/${project.id}/data-tables`;
	const table = await json<{ id: string }>(await n8n.rest('POST', base, { name, columns }), `POST ${base}`);
	const { insertedRows } = await json<{ insertedRows: number }>(
		await n8n.rest('POST', `${base}/${table.id}/insert`, { data: rows, returnType: 'count' }),
		`POST ${base}/${table.id}/insert`,
	);
	if (insertedRows !== rows.length) {
		throw new Error(`inserted ${insertedRows} of ${rows.length} rows into the Data table "${name}"`);
	}
	return table.id;
}
