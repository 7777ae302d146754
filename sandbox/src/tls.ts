/**
 * TLS mode: a throw-away self-signed certificate for localhost / 127.0.0.1,
 * made with the openssl CLI at start. The private key lives only in memory
 * (its file is deleted right after reading); the certificate file stays in a
 * temp dir until stop() so clients can trust it (e.g. NODE_EXTRA_CA_CERTS).
 */
import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

export interface SandboxCertificate {
	/** The certificate (PEM); trust it explicitly, e.g. `new https.Agent({ ca: certPem })`. */
	certPem: string;
	/** Path of the certificate file (PEM), present until stop(). */
	certPath: string;
}

export interface GeneratedCertificate extends SandboxCertificate {
	keyPem: string;
	/** Remove the temp dir (called by stop()). */
	cleanup(): void;
}

export const OPENSSL_MISSING =
	'sandbox TLS mode needs the openssl command to make its certificate, and it was not found: install it (Debian/Ubuntu: apt-get install openssl)';

function run(cmd: string, args: string[]): Promise<void> {
	return new Promise((resolve, reject) => {
		execFile(cmd, args, { timeout: 30000 }, (error, _stdout, stderr) => {
			if (!error) return resolve();
			if ((error as NodeJS.ErrnoException).code === 'ENOENT')
				return reject(new Error(OPENSSL_MISSING));
			reject(new Error(`openssl failed: ${String(stderr).trim() || error.message}`));
		});
	});
}

/** Make a certificate valid for 2 days for DNS:localhost and IP:127.0.0.1 / ::1. */
export async function generateCertificate(
	opensslCommand = 'openssl',
): Promise<GeneratedCertificate> {
	const dir = mkdtempSync(join(tmpdir(), 'altcraft-sandbox-tls-'));
	const keyPath = join(dir, 'key.pem');
	const certPath = join(dir, 'cert.pem');
	try {
		// A P-256 key is made in milliseconds; RSA 2048 can take a second on a busy machine.
		await run(opensslCommand, [
			'req',
			'-x509',
			'-newkey',
			'ec',
			'-pkeyopt',
			'ec_paramgen_curve:prime256v1',
			'-nodes',
			'-keyout',
			keyPath,
			'-out',
			certPath,
			'-days',
			'2',
			'-subj',
			'/CN=localhost',
			'-addext',
			'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1',
		]);
		const keyPem = readFileSync(keyPath, 'utf8');
		const certPem = readFileSync(certPath, 'utf8');
		rmSync(keyPath, { force: true });
		return {
			keyPem,
			certPem,
			certPath,
			cleanup: () => rmSync(dir, { recursive: true, force: true }),
		};
	} catch (e) {
		rmSync(dir, { recursive: true, force: true });
		throw e;
	}
}
