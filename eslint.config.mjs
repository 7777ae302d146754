// n8n's community-node rules, in their self-hosted set, scoped the way n8n's scanner scopes them:
// nodes/, credentials/ and package.json. Tests, scripts and the sandbox are not package code: they get
// typescript-eslint's recommended rules only.
import communityNodes from '@n8n/eslint-plugin-community-nodes';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import tseslint from 'typescript-eslint';

const selfHosted = communityNodes.configs.recommendedWithoutN8nCloudSupport;

export default tseslint.config(
	{
		ignores: [
			'dist/**',
			'**/dist/**',
			'node_modules/**',
			'examples/**',
			'.n8n-runtime/**',
			'artifacts/**',
		],
	},
	{
		files: ['test/**/*.ts', 'sandbox/**/*.ts', 'scripts/**/*.ts'],
		extends: [tseslint.configs.recommended],
		rules: {
			// A leading underscore marks a value left out on purpose (destructuring it away, an unused argument).
			'@typescript-eslint/no-unused-vars': [
				'error',
				{ argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
			],
			// Tests and scripts load n8n's modules from the installed n8n at run time, and heavy ones lazily.
			'@typescript-eslint/no-require-imports': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		extends: [tseslint.configs.recommended],
		plugins: { ...selfHosted.plugins, 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...selfHosted.rules,
			'no-console': 'error',
		},
	},
	{
		files: ['package.json'],
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
		plugins: { ...selfHosted.plugins, 'n8n-nodes-base': n8nNodesBase },
		rules: {
			...selfHosted.rules,
			...n8nNodesBase.configs.community.rules,
			// Deliberate: fast-xml-parser is a runtime dependency for the XML wire format
			// (see README "XML and the runtime dependency"); it keeps the package self-hosted only.
			'@n8n/community-nodes/no-runtime-dependencies': 'off',
			// The package has no public home or maintainer address yet, and package.json holds no invented
			// ones: `author` names the contributors (as LICENSE does) without an e-mail and `homepage` is
			// absent. Warnings, not errors, so they stay visible until a publisher fills in real values.
			'@n8n/community-nodes/valid-author': 'warn',
		},
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// This rule wants n8n's own docs slugs; community credentials must link an http(s) page.
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// The same three rules n8n's own node CLI switches off for community nodes.
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},
);
