/**
 * Save to Credential: writes a newly minted token into a stored Meta Token API credential through
 * n8n's public API, so the next run — of this workflow or any other using that credential — sends
 * it; and, with Also Update Credentials, into further credentials other workflows already use
 * (n8n's Facebook Graph API, WhatsApp and generic HTTP auth credentials: helpers/credentialTargets.ts).
 * The option's fields; the preflight that decides, before anything is minted, where each item
 * may save (one item per credential, every target a type that is written, an n8n API reachable
 * without sending its key in clear); and the writes themselves.
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { CredentialListError, credentialIdList, isCredentialId, isOAuth2Type, sendsOnlyToFacebook, tokenWriter, writableTypesText, type TokenWriter } from './credentialTargets';
import { PLATFORM_FACTS, type MetaPlatform } from '../../meta/platform';
import { META_CREDENTIAL_TYPE, metaCredentialOf } from '../../shared/credentialTypes';
import { OperationFailure } from '../../shared/failures';
import {
	credentialPath,
	lookUpCredential,
	n8nApiBaseUrl,
	n8nApiBlockedMessage,
	patchCredentialData,
	refusedKeyWords,
	unreachedWords,
	type CredentialAnswer,
} from '../transport/n8nPublicApi';

const MIRROR_FIELD = 'mirrorCredentialIds';
/** The Meta Token API credential's hidden field holding the token record (policy/tokenRecord.ts). */
const TOKEN_RECORD_FIELD = 'tokenRecord';
/** The Meta Token API credential's Platform field. */
const PLATFORM_FIELD = 'platform';
const MIRROR_LABEL = 'Also Update Credentials';

/** The option's fields, shown for the operations that mint a token (`mintingValues`). */
export function saveToCredentialFields(mintingValues: string[]): INodeProperties[] {
	return [
		{
			displayName: 'Save to Credential',
			name: 'saveToCredential',
			type: 'boolean',
			default: false,
			displayOptions: { show: { operation: mintingValues } },
			description:
				'Whether to write the new token into a stored Meta Token API credential through the n8n public API (PATCH /api/v1/credentials/{ID}), so the next run uses it. Needs an n8n API credential and n8n 2.x. Send one item per credential: a run in which several items would save into the same credential is refused before anything is minted.',
		},
		{
			displayName: 'Credential ID to Update',
			name: 'credentialId',
			type: 'string',
			default: '',
			placeholder: 'Leave empty for this node\'s own credential',
			displayOptions: { show: { operation: mintingValues, saveToCredential: [true] } },
			description:
				'ID of the Meta Token API credential to update (from its URL in n8n). Empty updates the very credential this node runs with. Other credential types are refused.',
		},
		{
			displayName: 'Also Update Credentials',
			name: MIRROR_FIELD,
			type: 'string',
			default: '',
			placeholder: 'e.g. 3fKq9ZpL2mWx8TbA, 7HsQ1vNc4RtY6uEe',
			displayOptions: { show: { operation: mintingValues, saveToCredential: [true] } },
			description:
				'IDs of further credentials, separated by commas (each is in its URL in n8n), that get the same new token in the same run: Facebook Graph API, Facebook Graph API (App) and WhatsApp API (Access Token), Header Auth (Value: "Bearer " and the token), Query Auth (Value), Bearer Auth (Bearer Token) and Meta Token API. Only that field is written; the rest of each credential stays. The token then sits in each of these credentials and goes wherever they are used: a Header, Query or Bearer Auth credential sends it to any host a workflow calls with it, with no Meta-only guard of this node — set its Allowed HTTP Request Domains. Any other type, OAuth2 included, is refused before anything is minted.',
		},
		{
			displayName: 'Include Token in Output',
			name: 'includeTokenInOutput',
			type: 'boolean',
			default: false,
			displayOptions: { show: { operation: mintingValues, saveToCredential: [true], '@tool': [false] } },
			description:
				'Whether a saved item also carries the new token in accessToken. Off, it carries only tokenHint and tokenFingerprint, so the token is not stored in the execution history; it is in the credential. A token whose save failed is always in the output.',
		},
	];
}

type SaveFailureReason =
	| 'noUpdateEndpoint'
	| 'unauthorized'
	| 'failed'
	| 'unreachable'
	| 'blockedBySsrfProtection'
	| 'noCredentialId'
	| 'noApiCredential'
	| 'insecureApiUrl'
	| 'notFound'
	| 'notMetaCredential'
	| 'sameCredentialTwice'
	| 'badCredentialList'
	| 'unsupportedCredentialType'
	| 'managedCredential';

/** Saving failed, or may not be tried; the message says whether a token was minted. */
export class CredentialSaveError extends OperationFailure {
	constructor(
		readonly reason: SaveFailureReason,
		message: string,
		httpStatus?: number,
	) {
		super('saveToCredential', reason, message, httpStatus);
		this.name = 'CredentialSaveError';
	}
}

/** One credential the new token goes into: the type n8n confirmed for it, and how that type is written. */
interface SaveDestination {
	credentialId: string;
	type: string;
	write: TokenWriter;
}

/** Where one item's new token will be written: checked before anything was minted. */
export interface SaveTarget {
	/** The Meta Token API credential. */
	credentialId: string;
	/** The n8n API credential's Base URL, normalized (https, or http on loopback). */
	baseUrl: string;
	/** Every credential written, the Meta Token API one first, then Also Update Credentials. */
	destinations: SaveDestination[];
	/** The family the new token belongs to (the node's credential's): written beside it into Meta Token API credentials. */
	platform: MetaPlatform;
}

/** Per input item: where it saves, null when it does not, or why it may not. */
type SavePlan = SaveTarget | null | CredentialSaveError;

const NOTHING_MINTED = 'Nothing was minted.';

/** The credential to update: the one given, else the Meta Token API credential this node runs with. */
function targetCredentialId(context: IExecuteFunctions, itemIndex: number): string | undefined {
	const given = String(context.getNodeParameter('credentialId', itemIndex, '') ?? '').trim();
	return given || metaCredentialOf(context)?.id || undefined;
}

function refused(reason: SaveFailureReason, message: string, status?: number): CredentialSaveError {
	return new CredentialSaveError(reason, `${message} ${NOTHING_MINTED}`, status);
}

/** The item's Also Update Credentials, without the Meta Token API target itself. */
function mirrorIds(context: IExecuteFunctions, itemIndex: number, credentialId: string): string[] | CredentialSaveError {
	// Outside the try: an expression n8n cannot evaluate stops the run with n8n's own error.
	const given = context.getNodeParameter(MIRROR_FIELD, itemIndex, '');
	try {
		return credentialIdList(given, MIRROR_LABEL).filter((id) => id !== credentialId);
	} catch (error) {
		return refused('badCredentialList', error instanceof CredentialListError ? error.message : `${MIRROR_LABEL} cannot be read.`);
	}
}

/**
 * The preflight: for each item that wants to save, where it may. A save that cannot work is
 * found here, before the minting call, so it mints nothing. Refuses every item of a run in which
 * several would save into the same credential (the last write would win, the other new tokens
 * would be lost), a target n8n does not confirm as a Meta Token API credential, and a further
 * credential of a type that is not written: every target of an item is confirmed, or none is written.
 */
export async function planSaves(context: IExecuteFunctions, itemCount: number, platform: MetaPlatform): Promise<SavePlan[]> {
	const plans: SavePlan[] = [];
	const mirrorsOf = new Map<number, string[]>();
	const wanting = new Map<string, number[]>();
	for (let itemIndex = 0; itemIndex < itemCount; itemIndex++) {
		if (!context.getNodeParameter('saveToCredential', itemIndex, false)) {
			plans.push(null);
			continue;
		}
		const credentialId = targetCredentialId(context, itemIndex);
		if (!credentialId) {
			plans.push(
				refused(
					'noCredentialId',
					'This node runs without a stored Meta Token API credential ID, so there is nothing to update: set "Credential ID to Update".',
				),
			);
			continue;
		}
		if (!isCredentialId(credentialId)) {
			// Never repeated: a token pasted here by mistake must not reach the n8n API URL or a message.
			plans.push(
				refused(
					'noCredentialId',
					'"Credential ID to Update" is not a credential ID: give the ID from the credential\'s URL in n8n (…/home/credentials/<ID>), or leave it empty to update this node\'s own credential.',
				),
			);
			continue;
		}
		const mirrors = mirrorIds(context, itemIndex, credentialId);
		if (mirrors instanceof CredentialSaveError) {
			plans.push(mirrors);
			continue;
		}
		plans.push({ credentialId, baseUrl: '', destinations: [], platform });
		mirrorsOf.set(itemIndex, mirrors);
		for (const id of [credentialId, ...mirrors]) wanting.set(id, [...(wanting.get(id) ?? []), itemIndex]);
	}
	if (wanting.size === 0) return plans;

	const shared = [...wanting.entries()].find(([, items]) => items.length > 1);
	if (shared) {
		const [credentialId, items] = shared;
		const error = refused(
			'sameCredentialTwice',
			`${items.length} input items would save a new token into the same credential ${credentialId}: the last write would win and the other new tokens would be lost. Send one item to this node (e.g. through a Limit node), or give each item its own "Credential ID to Update" and "${MIRROR_LABEL}".`,
		);
		return plans.map((plan) => (plan === null ? null : error));
	}

	const setup = await n8nApiBaseUrl(context, 'Saving to a credential');
	if (typeof setup !== 'string') {
		const error = refused(setup.reason, setup.message);
		return plans.map((plan) => (plan === null || plan instanceof CredentialSaveError ? plan : error));
	}
	const baseUrl = setup;

	// Each credential is wanted by one item only (checked above): one lookup each, all at once.
	const answers = new Map(
		await Promise.all([...wanting.keys()].map(async (id) => [id, await lookUpCredential(context, baseUrl, id)] as const)),
	);
	const unanswered = { reached: false } as const;
	return plans.map((plan, itemIndex) => {
		if (plan === null || plan instanceof CredentialSaveError) return plan;
		const destinations: SaveDestination[] = [];
		for (const credentialId of [plan.credentialId, ...(mirrorsOf.get(itemIndex) ?? [])]) {
			const type = answeredType(answers.get(credentialId) ?? unanswered, credentialId, baseUrl);
			if (type instanceof CredentialSaveError) return type;
			// The first is the Meta Token API target; the others are Also Update Credentials.
			const problem = destinations.length === 0 ? primaryTypeProblem(type, credentialId) : mirrorTypeProblem(type, credentialId, platform);
			if (problem) return problem;
			const write = tokenWriter(type);
			if (!write) return refused('unsupportedCredentialType', `Credential ${credentialId} is a "${type}" credential, which this node does not write.`);
			destinations.push({ credentialId, type, write });
		}
		return { credentialId: plan.credentialId, baseUrl, destinations, platform };
	});
}

/** The type n8n's answer to the lookup confirms (possibly ''), or why the credential may not be written. */
function answeredType(answer: CredentialAnswer, credentialId: string, baseUrl: string): string | CredentialSaveError {
	const path = credentialPath(credentialId);
	if (!answer.reached && answer.ssrfBlock) {
		return refused('blockedBySsrfProtection', n8nApiBlockedMessage(baseUrl, answer.ssrfBlock, `to check credential ${credentialId}`));
	}
	if (!answer.reached) {
		return refused('unreachable', `${unreachedWords(baseUrl, `to check credential ${credentialId}`)}: check the n8n API credential's Base URL.`);
	}
	const { status, type } = answer;
	if (status >= 200 && status < 300) {
		if (answer.isManaged === true) {
			return refused('managedCredential', `Credential ${credentialId} is managed by n8n itself, and n8n's API does not update managed credentials: remove it from the targets.`, status);
		}
		return type ?? '';
	}
	if (status === 405) return refused('noUpdateEndpoint', noEndpoint('GET', path, status), status);
	if (status === 404) {
		return refused('notFound', `n8n answered 404 to GET ${path}: no credential has ID ${credentialId}, or the API key's user may not see it.`, status);
	}
	if (status === 401 || status === 403) return refused('unauthorized', unauthorized(status, 'checking the credential to update'), status);
	return refused('failed', `n8n answered ${status} when checking credential ${credentialId}.`, status);
}

function untyped(credentialId: string): string {
	return `n8n's answer to GET ${credentialPath(credentialId)} did not say which type credential ${credentialId} is, so it is not written.`;
}

/** Why the Meta Token API target may not be written, or undefined when it may. */
function primaryTypeProblem(type: string, credentialId: string): CredentialSaveError | undefined {
	if (type === META_CREDENTIAL_TYPE) return undefined;
	return refused(
		'notMetaCredential',
		type
			? `Credential ${credentialId} is a "${type}" credential, not a Meta Token API credential: Save to Credential writes only into Meta Token API credentials ("${MIRROR_LABEL}" takes other types).`
			: untyped(credentialId),
	);
}

/** Why a credential of Also Update Credentials may not be written, or undefined when it may. */
function mirrorTypeProblem(type: string, credentialId: string, platform: MetaPlatform): CredentialSaveError | undefined {
	const { label } = PLATFORM_FACTS[platform];
	if (platform !== 'facebook' && sendsOnlyToFacebook(type)) {
		return refused(
			'unsupportedCredentialType',
			`Credential ${credentialId} in "${MIRROR_LABEL}" is a "${type}" credential, whose nodes send their token only to graph.facebook.com: a ${label} token does not work there and must not go there. Remove it from the list.`,
		);
	}
	if (tokenWriter(type)) return undefined;
	if (!type) return refused('unsupportedCredentialType', untyped(credentialId));
	const why = isOAuth2Type(type)
		? "n8n keeps an OAuth2 credential's token itself and renews it through the credential's connection, so this node does not write into it: remove it from the list, and renew it by reconnecting it in n8n before Meta's token ends."
		: `this node writes only into ${writableTypesText()} credentials.`;
	return refused('unsupportedCredentialType', `Credential ${credentialId} in "${MIRROR_LABEL}" is a "${type}" credential: ${why}`);
}

function noEndpoint(method: string, path: string, status: number): string {
	return `n8n answered ${status} to ${method} ${path}: this n8n instance has no credential lookup or update endpoint (n8n 1.x lacks them; upgrade to a current 2.x).`;
}

function unauthorized(status: number, doing: string): string {
	return refusedKeyWords(status, doing, 'the scopes credential:read and credential:update', 'edit that credential');
}

/** What became of one target's write after minting: `error` only when it failed. */
export interface SaveOutcome {
	credentialId: string;
	type: string;
	ok: boolean;
	error?: CredentialSaveError;
}

/**
 * Writes the new token into every checked target, the Meta Token API credential first, each in
 * its own field and form and nothing else of it but the Meta Token API credential's token record
 * (`tokenRecord`: formatTokenRecord's text) — n8n merges the rest unchanged. One target's
 * failure does not stop the others: each write that works is a credential renewed. Only
 * failures after the preflight reach here; the caller says where the minted token is kept.
 */
export async function saveTokenToCredentials(
	context: IExecuteFunctions,
	target: SaveTarget,
	accessToken: string,
	tokenRecord: string,
): Promise<SaveOutcome[]> {
	const outcomes: SaveOutcome[] = [];
	for (const destination of target.destinations) {
		outcomes.push(await writeToken(context, target.baseUrl, destination, accessToken, tokenRecord, target.platform));
	}
	return outcomes;
}

/**
 * The data of one write: the token field, and for a Meta Token API credential its token record in
 * the same PATCH — the token and what is known of its age are never out of step. Other types have
 * no such field.
 */
function writeData(destination: SaveDestination, accessToken: string, tokenRecord: string, platform: MetaPlatform): Record<string, string> {
	const data = destination.write(accessToken);
	// The platform too: a credential is signed for its platform's host, so an Instagram token saved
	// into a credential still set to Facebook would otherwise go to graph.facebook.com.
	return destination.type === META_CREDENTIAL_TYPE ? { ...data, [PLATFORM_FIELD]: platform, [TOKEN_RECORD_FIELD]: tokenRecord } : data;
}

async function writeToken(
	context: IExecuteFunctions,
	baseUrl: string,
	destination: SaveDestination,
	accessToken: string,
	tokenRecord: string,
	platform: MetaPlatform,
): Promise<SaveOutcome> {
	const { credentialId, type } = destination;
	const answer = await patchCredentialData(context, baseUrl, credentialId, writeData(destination, accessToken, tokenRecord, platform));
	const failed = (reason: SaveFailureReason, message: string, status?: number): SaveOutcome => ({
		credentialId,
		type,
		ok: false,
		error: new CredentialSaveError(reason, message, status),
	});
	if (!answer.reached && answer.ssrfBlock) {
		return failed('blockedBySsrfProtection', n8nApiBlockedMessage(baseUrl, answer.ssrfBlock, `to save the new token into credential ${credentialId}`));
	}
	if (!answer.reached) {
		return failed('unreachable', `${unreachedWords(baseUrl, `to save the new token into credential ${credentialId}`)}.`);
	}
	const { status } = answer;
	if (status >= 200 && status < 300) return { credentialId, type, ok: true };
	const path = credentialPath(credentialId);
	if (status === 404 || status === 405) return failed('noUpdateEndpoint', noEndpoint('PATCH', path, status), status);
	if (status === 401 || status === 403) return failed('unauthorized', unauthorized(status, 'saving the new token'), status);
	return failed('failed', `n8n answered ${status} when saving the new token into credential ${credentialId}.`, status);
}
