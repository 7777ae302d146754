/**
 * System error codes that prove a request never left: nothing was connected or written, or the
 * TLS handshake failed before any byte of the request. Both senders judge "sent" with this set.
 */
export const NOT_SENT_CODES: ReadonlySet<string> = new Set([
	'ECONNREFUSED',
	'ENOTFOUND',
	'EAI_AGAIN',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EADDRNOTAVAIL',
	'CERT_HAS_EXPIRED',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'SELF_SIGNED_CERT_IN_CHAIN',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'ERR_TLS_CERT_ALTNAME_INVALID',
	'ERR_SSL_WRONG_VERSION_NUMBER',
]);

/** Certificate problems that "Ignore SSL Issues" (or a trusted CA) solves, by code or by message. */
const TLS_TRUST =
	/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|SSL Issue|self[- ]signed certificate|certificate/i;

export function isTlsTrustProblem(codeOrMessage: string): boolean {
	return TLS_TRUST.test(codeOrMessage);
}
