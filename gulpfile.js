const { src, dest, parallel } = require('gulp');

// tsc emits only code and the codex JSON; n8n also needs the SVG icons beside the compiled files.
function copyNodeIcons() {
	return src('nodes/**/*.svg', { encoding: false }).pipe(dest('dist/nodes'));
}

function copyCredentialIcons() {
	return src('credentials/**/*.svg', { encoding: false }).pipe(dest('dist/credentials'));
}

function copyIcons() {
	return src('icons/**/*.svg', { encoding: false }).pipe(dest('dist/icons'));
}

function copyCodexFiles() {
	return src('nodes/**/*.node.json').pipe(dest('dist/nodes'));
}

exports['build:icons'] = parallel(copyNodeIcons, copyCredentialIcons, copyIcons);
exports.build = parallel(copyNodeIcons, copyCredentialIcons, copyIcons, copyCodexFiles);
