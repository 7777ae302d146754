import type { INodeProperties } from 'n8n-workflow';

import { AltcraftPromo } from '../../nodes/AltcraftPromo/AltcraftPromo.node';

const { description } = new AltcraftPromo();

/** The fields n8n shows for given parameter values, judged by each field's displayOptions.show. */
function visibleFields(values: Record<string, unknown>): string[] {
	const shown = (property: INodeProperties) =>
		Object.entries(property.displayOptions?.show ?? {}).every(([name, allowed]) =>
			(allowed as unknown[]).includes(values[name]),
		);
	return description.properties.filter(shown).map((property) => property.name);
}

describe('AltcraftPromo description', () => {
	it('keeps the public names and is usable as an AI tool', () => {
		expect(description.name).toBe('altcraftPromo');
		expect(description.displayName).toBe('Altcraft Promo');
		expect(description.usableAsTool).toBe(true);
		expect(description.credentials).toEqual([{ name: 'altcraftApi', required: true }]);
	});

	it('offers the seven operations, each with an action text', () => {
		const operation = description.properties.find((property) => property.name === 'operation');
		const options = (operation?.options ?? []) as Array<{ value: string; action?: string }>;
		expect(options.map((option) => option.value).sort()).toEqual(
			['activate', 'attach', 'detach', 'get', 'getAll', 'import', 'update'].sort(),
		);
		expect(options.every((option) => typeof option.action === 'string' && option.action.length > 0)).toBe(true);
	});

	it.each([
		['import', ['loyaltyId', 'codes']],
		['get', ['loyaltyId', 'code']],
		['activate', ['loyaltyId', 'code']],
		['update', ['loyaltyId', 'code', 'updateFields']],
		['getAll', ['loyaltyId', 'filter', 'returnAll', 'limit']],
	])('%s shows exactly its own fields', (operation, fields) => {
		expect(visibleFields({ resource: 'promoCode', operation, returnAll: false })).toEqual([
			'resource',
			'operation',
			...fields,
			'options',
		]);
	});

	it('hides Limit when Return All is on', () => {
		expect(visibleFields({ resource: 'promoCode', operation: 'getAll', returnAll: true })).not.toContain('limit');
	});

	it.each([
		['email', ['email']],
		['email_profile', ['email']],
		['phone', ['phone']],
		['profile_id', ['profileId']],
		['custom', ['fieldName', 'fieldValue']],
	])('attach and detach with matching %s show only that mode\'s fields', (matching, matchingFields) => {
		for (const operation of ['attach', 'detach']) {
			expect(visibleFields({ resource: 'promoCode', operation, matching })).toEqual([
				'resource',
				'operation',
				'loyaltyId',
				'code',
				'databaseId',
				'matching',
				...matchingFields,
				'options',
			]);
		}
	});

	it('makes the code optional only for attach', () => {
		const codeFields = description.properties.filter((property) => property.name === 'code');
		for (const field of codeFields) {
			const operations = field.displayOptions?.show?.operation as string[];
			expect(field.required).toBe(!operations.includes('attach'));
		}
	});
});
