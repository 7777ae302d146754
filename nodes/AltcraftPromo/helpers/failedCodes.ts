/** One code Altcraft did not import, as its per-code answer says. */
export interface FailedCode {
	code: string;
	error: number;
	error_text: string;
	/** The chunk was sent again after a lost answer: the lost attempt may have inserted the code. */
	after_resend?: boolean;
}

/** How many failed codes the output item lists; the file holds them all. */
export const DEFAULT_FAILED_CODES_SHOWN = 100;

const CSV_HEADER = 'code,error,error_text,after_resend\n';
/** Lines gathered as text before they are packed into a Buffer (1 byte a character, no per-string overhead). */
const LINES_PER_BLOCK = 1000;

function csvField(value: string): string {
	return /[",\r\n]/.test(value) || value !== value.trim()
		? `"${value.replace(/"/g, '""')}"`
		: value;
}

/**
 * Keeps per-code results only for codes that failed: the first `shown` as objects for the output
 * item, all of them as CSV for a binary file. An import of 1,000,000 codes that all go in keeps
 * nothing; one whose codes all fail keeps ~30 bytes a code, packed in Buffers.
 */
export class FailedCodes {
	private readonly shownCodes: FailedCode[] = [];
	private readonly blocks: Buffer[] = [];
	private lines: string[] = [];
	private total = 0;

	constructor(private readonly shown = DEFAULT_FAILED_CODES_SHOWN) {}

	add(failure: FailedCode): void {
		this.total++;
		if (this.shownCodes.length < this.shown) this.shownCodes.push(failure);
		this.lines.push(
			`${csvField(failure.code)},${failure.error},${csvField(failure.error_text)},${failure.after_resend === true ? 'true' : ''}\n`,
		);
		if (this.lines.length === LINES_PER_BLOCK) this.pack();
	}

	/** Codes that failed, all of them. */
	get count(): number {
		return this.total;
	}

	/** The first ones, for the output item. */
	get listed(): FailedCode[] {
		return this.shownCodes;
	}

	/** More failed than listed: the CSV file has the rest. */
	get truncated(): boolean {
		return this.total > this.shownCodes.length;
	}

	/** Every failed code as CSV (UTF-8, header line first), or undefined when none failed. */
	csv(): Buffer | undefined {
		if (this.total === 0) return undefined;
		this.pack();
		return Buffer.concat([Buffer.from(CSV_HEADER, 'utf8'), ...this.blocks]);
	}

	private pack(): void {
		if (this.lines.length === 0) return;
		this.blocks.push(Buffer.from(this.lines.join(''), 'utf8'));
		this.lines = [];
	}
}
