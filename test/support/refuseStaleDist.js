// Jest global setup. The node and engine tests load the built node from dist/, so `npx jest` after
// an edit without `npm run build` would silently test yesterday's code; this refuses to start then.
const { readdirSync, statSync, existsSync } = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');

function newestMtime(dir, suffix) {
	let newest = 0;
	if (!existsSync(dir)) return newest;
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const full = path.join(dir, entry.name);
		if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, suffix));
		else if (entry.name.endsWith(suffix)) newest = Math.max(newest, statSync(full).mtimeMs);
	}
	return newest;
}

module.exports = async function refuseStaleDist() {
	const sources = Math.max(
		newestMtime(path.join(root, 'nodes'), '.ts'),
		newestMtime(path.join(root, 'credentials'), '.ts'),
	);
	const built = Math.min(
		newestMtime(path.join(root, 'dist', 'nodes'), '.js') || 0,
		newestMtime(path.join(root, 'dist', 'credentials'), '.js') || 0,
	);
	if (built === 0)
		throw new Error(
			'dist/ is missing: run `npm run build` (or `npm test`, which builds first) before jest.',
		);
	if (sources > built) {
		throw new Error(
			'dist/ is older than nodes/ or credentials/: run `npm run build` (or `npm test`) before jest, so the tests load the code you changed.',
		);
	}
};
