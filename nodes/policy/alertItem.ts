/**
 * What an alert item is: the alert's own fields together with the inspect record of the check it
 * came from. The one composition for every node that emits alerts (the trigger, and any operation
 * that applies the same policy), so that a field means the same in each of them and in Inspect's
 * output: `expiresAt` is the token's own expiry, `effectiveExpiresAt` the earlier of that and data
 * access, `missingScopes` the required scopes the token lacks, `daysLeft` days to the effective expiry.
 */
import type { Alert } from './alerts';
import type { StatusItem } from './alertStatus';
import type { InspectRecord } from './inspectRecord';
import type { Observation } from './observations';

/** An alert (or a "Fetch Test Event" status item) with the record of its check, if the check worked. */
type AlertItem = (Alert | StatusItem) & Partial<Omit<InspectRecord, keyof Alert | 'status'>>;

/**
 * The record of the observed check first, then the alert. Where both name a fact, the record's
 * reading of this check wins (the alert may carry what was last known); a check that failed has
 * no record, and the alert's last-known values stand alone.
 */
export function alertItem(alert: Alert | StatusItem, observation: Observation): AlertItem {
	if (observation.kind !== 'ok') return { ...alert };
	const { record } = observation;
	return {
		...record,
		...alert,
		expiresAt: record.expiresAt,
		effectiveExpiresAt: record.effectiveExpiresAt,
		missingScopes: [...record.missingScopes],
		tokenHint: record.tokenHint,
		daysLeft: record.daysLeft,
	};
}
