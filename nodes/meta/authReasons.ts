/**
 * Why a Meta token died, and how that is said: the OAuth subcodes, the messages Meta sends when a
 * subcode is missing, and the words for each reason. Their own file (in nodes/meta, which imports
 * nothing outside it) because the Graph layer's errors, the inspect record, the alerts and the
 * credential test all name the reason, and each must name it the same way.
 */
import type { AuthReason } from './types';

/**
 * Meta's OAuth subcodes (458–467, 492, 493): why the token died. They decide the reason whatever
 * the code they come with, as Meta's own SDKs read them before the code.
 */
export const AUTH_SUBCODES: Readonly<Record<number, AuthReason>> = {
	458: 'notAuthorized',
	459: 'checkpoint',
	460: 'passwordChanged',
	// The user reinstalled the app: the old session is gone, a new login gives a new token.
	461: 'notAuthorized',
	// A stale session version.
	462: 'invalid',
	463: 'expired',
	464: 'invalid',
	// The session user is invalid.
	465: 'invalid',
	// The session was invalidated explicitly through an API call.
	466: 'notAuthorized',
	467: 'invalid',
	492: 'noPageRole',
	493: 'inactive',
};

/** The auth reason an OAuth subcode gives on its own, whatever the code, or undefined. */
export function authReasonOfSubcode(subcode: number | null | undefined): AuthReason | undefined {
	return typeof subcode === 'number' ? AUTH_SUBCODES[subcode] : undefined;
}

/** Meta's words for an expired token, when the subcode does not say it. */
const EXPIRED_MESSAGE = /has expired/i;

/** Meta has sent expired tokens with subcode 0 or none: then the message is all there is. */
const AUTH_MESSAGES: Array<[RegExp, AuthReason]> = [
	[EXPIRED_MESSAGE, 'expired'],
	[/changed (their|the) password/i, 'passwordChanged'],
	[/has not authori[sz]ed application|invalidated explicitly|has been revoked|logged out/i, 'notAuthorized'],
	[/checkpoint/i, 'checkpoint'],
	[/page role|role on (the|this) page/i, 'noPageRole'],
	[/inactiv/i, 'inactive'],
];

/**
 * Why a token is dead, from Meta's error subcode (preferred) or its message. The one mapping for
 * the whole package: errors of any call and `debug_token`'s `data.error` are read the same way.
 */
export function authReason(subcode: number | null | undefined, message: string | null | undefined): AuthReason {
	const bySubcode = authReasonOfSubcode(subcode);
	if (bySubcode) return bySubcode;
	const said = message ?? '';
	return AUTH_MESSAGES.find(([pattern]) => pattern.test(said))?.[1] ?? 'invalid';
}

/**
 * Whether an error says the token expired: subcode 463, or a message saying "has expired". Not
 * `authReason(...) === 'expired'`, which lets another subcode (460 …) outrank the message.
 */
export function saysExpired(subcode: number | null | undefined, message: string | null | undefined): boolean {
	return authReasonOfSubcode(subcode) === 'expired' || EXPIRED_MESSAGE.test(message ?? '');
}

/**
 * What a dead token's reason means: a summary and what to do (every auth error and the credential
 * test say it so), and the same reason in a few words for sentences about a token (the alerts).
 */
export const AUTH_REASON_TEXT: Readonly<Record<AuthReason, { summary: string; description: string; inWords: string }>> = {
	expired: {
		summary: 'The Meta access token has expired.',
		description:
			'Generate a new token (Facebook: Graph API Explorer; Instagram or Threads: your app\'s login) and exchange it for a long-lived one — or, on Facebook, switch to a system-user token — then update the credential.',
		inWords: 'it has expired',
	},
	passwordChanged: {
		summary:
			'The Meta access token was invalidated because the user changed their password or Meta reset the session for security reasons.',
		description:
			'Log in again and generate a new token (a system-user token is not affected by password changes), then update the credential.',
		inWords: 'the user changed their password or Meta reset the session',
	},
	notAuthorized: {
		summary: 'The user has not authorised the Meta app, or has removed it, so the token no longer works.',
		description:
			'Have the user log in to the app again and grant its permissions, then put the new token in the credential.',
		inWords: 'the user removed or never authorised the app, or the token was revoked',
	},
	checkpoint: {
		summary: "Meta has put the user's account through a security checkpoint, so its tokens are blocked.",
		description:
			'The user must log in to Facebook and complete the checkpoint; then generate a new token and update the credential.',
		inWords: "the user's account is held at a Facebook security checkpoint",
	},
	noPageRole: {
		summary: 'The user no longer has a suitable role on the Page, so the Page token stopped working.',
		description:
			'Give the user a role on the Page (or use a system user assigned to the Page), fetch a new Page token and update the credential.',
		inWords: 'the user no longer has a role on the Page',
	},
	inactive: {
		summary: 'The Meta access token was invalidated because the user has not used the app for 90 days.',
		description:
			'Log in again and generate a new token, or switch to a system-user token, then update the credential.',
		inWords: 'the user has been inactive too long',
	},
	invalid: {
		summary: 'The Meta access token is invalid: malformed, revoked, or not a token of this app.',
		description:
			'Check that the credential holds the complete token, or generate a new one, then update the credential.',
		inWords: 'Meta does not accept it (malformed, revoked or of another app)',
	},
};

/** Plain words for why a token is dead. */
export function authReasonInWords(reason: AuthReason): string {
	return AUTH_REASON_TEXT[reason].inWords;
}
