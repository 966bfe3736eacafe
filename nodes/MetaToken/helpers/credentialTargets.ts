/**
 * Which stored n8n credentials a renewed token may be written into, and in which field and form
 * each holds it: the one table Save to Credential and its "Also Update Credentials" list consult.
 * A write carries that field alone (the rest of the credential stays as it is), so a type enters
 * this table only when one field is the whole of what it holds of the token.
 *
 * The type names are n8n's own (n8n-nodes-base credentials) and this package's; users' stored
 * credentials carry them, so they never change.
 */

import { META_CREDENTIAL_TYPE } from '../../shared/credentialTypes';

export interface TokenField {
	/** The credential type as n8n's editor names it. */
	label: string;
	/** The one data field that holds the token. */
	field: string;
	/** What that field holds for a token: the token itself, or a header value built from it. */
	value(token: string): string;
	/** Its nodes send the token only to graph.facebook.com: no Instagram or Threads token goes in. */
	facebookOnly?: true;
}

const asIs = (token: string): string => token;

/** Every credential type a renewed token is written into, by n8n's type name. */
export const TOKEN_FIELDS: Readonly<Record<string, TokenField>> = {
	[META_CREDENTIAL_TYPE]: { label: 'Meta Token API', field: 'accessToken', value: asIs },
	// The Facebook Graph API node sends it as the access_token query parameter.
	facebookGraphApi: { label: 'Facebook Graph API', field: 'accessToken', value: asIs, facebookOnly: true },
	// The Facebook Trigger's credential: its App Secret stays.
	facebookGraphAppApi: { label: 'Facebook Graph API (App)', field: 'accessToken', value: asIs, facebookOnly: true },
	// The WhatsApp node sends it as a Bearer header; its Business Account ID stays.
	whatsAppApi: { label: 'WhatsApp API', field: 'accessToken', value: asIs, facebookOnly: true },
	// A header credential sends its Value as given, under its own Name (kept): Authorization wants "Bearer …".
	httpHeaderAuth: { label: 'Header Auth', field: 'value', value: (token) => `Bearer ${token}` },
	// A query credential sends its Value under its own Name (kept), e.g. access_token.
	httpQueryAuth: { label: 'Query Auth', field: 'value', value: asIs },
	// n8n adds "Bearer " itself.
	httpBearerAuth: { label: 'Bearer Auth', field: 'token', value: asIs },
};

/** The data of a write into a credential: its token field only. */
export type TokenWriter = (token: string) => Record<string, string>;

/** How a credential of `type` is written; undefined for a type that is not. */
export function tokenWriter(type: string): TokenWriter | undefined {
	const target = Object.prototype.hasOwnProperty.call(TOKEN_FIELDS, type) ? TOKEN_FIELDS[type] : undefined;
	return target ? (token) => ({ [target.field]: target.value(token) }) : undefined;
}

/** Whether a credential of `type` sends its token only to graph.facebook.com (n8n's Facebook and WhatsApp nodes). */
export function sendsOnlyToFacebook(type: string): boolean {
	return Object.prototype.hasOwnProperty.call(TOKEN_FIELDS, type) && TOKEN_FIELDS[type].facebookOnly === true;
}

/** "Meta Token API, Facebook Graph API, … and Bearer Auth": for messages naming what is written. */
export function writableTypesText(): string {
	const labels = Object.values(TOKEN_FIELDS).map((target) => target.label);
	return `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

/**
 * Whether n8n keeps this type's token itself: an OAuth2 credential holds it in oauthTokenData,
 * which n8n fills when the user connects and renews with the refresh token.
 */
export function isOAuth2Type(type: string): boolean {
	return /oauth2/i.test(type);
}

/** Why the list of further credentials cannot be read; names the field. */
export class CredentialListError extends Error {
	constructor(
		readonly field: string,
		message: string,
	) {
		super(message);
		this.name = 'CredentialListError';
	}
}

// n8n's credential IDs are 16 alphanumerics (nanoid; older ones are numbers). The bound refuses a
// pasted URL or token (Meta's are 100+ characters), which would otherwise reach n8n's API in a path.
const CREDENTIAL_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Whether a value has the shape of an n8n credential ID (so it may go into a URL and a message). */
export function isCredentialId(value: string): boolean {
	return CREDENTIAL_ID.test(value);
}

/**
 * The credential IDs of a list as users give it: comma-, semicolon- or line-separated text, or
 * an array from an expression; blanks dropped, each ID once, in the order given.
 */
export function credentialIdList(value: unknown, field: string): string[] {
	if (value === undefined || value === null || value === '') return [];
	let parts: unknown[];
	if (typeof value === 'string') parts = value.split(/[,;\s]+/);
	else if (Array.isArray(value)) parts = value;
	else throw new CredentialListError(field, `${field} must be a list of credential IDs separated by commas, or an array of them.`);
	const ids: string[] = [];
	for (const [index, part] of parts.entries()) {
		const id = typeof part === 'string' || typeof part === 'number' ? String(part).trim() : '';
		if (id === '' && typeof part === 'string') continue;
		// The entry is not repeated: a token pasted here by mistake must not reach a message.
		if (!CREDENTIAL_ID.test(id)) {
			throw new CredentialListError(
				field,
				`${field}: entry ${index + 1} is not a credential ID. Give the IDs from the credentials' URLs in n8n (…/home/credentials/<ID>), separated by commas.`,
			);
		}
		if (!ids.includes(id)) ids.push(id);
	}
	return ids;
}
