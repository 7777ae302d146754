/** POSTs to the published webhooks of the example workflows, as a shop would. */

/** A webhook's answer: its status, its text (kept for the token scan) and its JSON body ({} if none). */
export interface WebhookAnswer {
	status: number;
	text: string;
	body: Record<string, unknown>;
}

/** POSTs `body` as JSON to `<baseUrl>/webhook/<path>`; the answer text is pushed to `outputs`. */
export async function postToWebhook(
	baseUrl: string,
	path: string,
	body: Record<string, unknown>,
	outputs: string[],
): Promise<WebhookAnswer> {
	const response = await fetch(`${baseUrl}/webhook/${path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(body),
		signal: AbortSignal.timeout(120_000),
	});
	const text = await response.text();
	outputs.push(text);
	let parsed: Record<string, unknown> = {};
	try {
		parsed = JSON.parse(text) as Record<string, unknown>;
	} catch {
		// The callers assert on status and text.
	}
	return { status: response.status, text, body: parsed };
}
