import { decodeXmlDocument, encodeXmlRequest } from '../../nodes/AltcraftPromo/transport/xmlCodec';

describe('encodeXmlRequest', () => {
	it('writes Altcraft XML: <xml> root, arrays as repeated elements, typed scalars as text', () => {
		expect(encodeXmlRequest({ codes: ['CODE-1', 'CODE-2'], loyalty_id: 6, activated: true })).toBe(
			'<xml><codes>CODE-1</codes><codes>CODE-2</codes><loyalty_id>6</loyalty_id><activated>true</activated></xml>',
		);
	});

	it('escapes markup in values so a code cannot break the document', () => {
		expect(encodeXmlRequest({ code: `A<&>"'B` })).toBe(
			'<xml><code>A&lt;&amp;&gt;&quot;&apos;B</code></xml>',
		);
	});
});

describe('decodeXmlDocument', () => {
	it('types documented integers and booleans and keeps codes that look numeric as text', async () => {
		const decoded = await decodeXmlDocument(
			'<xml><data><activated/><attached/><code>12345</code><created>2024-04-01T12:39:34Z</created>' +
				'<is_activated>false</is_activated><is_attached>true</is_attached><loyalty_id>5</loyalty_id>' +
				'<database_id>1</database_id><profile_id>0042</profile_id></data>' +
				'<error>0</error><error_text>Successful operation</error_text></xml>',
			false,
		);
		expect(decoded).toEqual({
			data: {
				activated: '',
				attached: '',
				code: '12345',
				created: '2024-04-01T12:39:34Z',
				is_activated: false,
				is_attached: true,
				loyalty_id: 5,
				database_id: 1,
				profile_id: '0042',
			},
			error: 0,
			error_text: 'Successful operation',
		});
	});

	it('keeps one-element lists as lists for list endpoints', async () => {
		const decoded = await decodeXmlDocument(
			'<xml><data><code>C-1</code><error>0</error><error_text/></data><inserted>1</inserted><error>0</error><error_text>ok</error_text></xml>',
			true,
		);
		expect(decoded?.data).toEqual([{ code: 'C-1', error: 0, error_text: '' }]);
		expect(decoded?.inserted).toBe(1);
	});

	it('decodes entities and ignores a prolog', async () => {
		const decoded = await decodeXmlDocument(
			'<?xml version="1.0" encoding="UTF-8" ?><xml><error>404</error><error_text>A &amp; B &lt;x&gt;</error_text></xml>',
			false,
		);
		expect(decoded).toEqual({ error: 404, error_text: 'A & B <x>' });
	});

	it('returns undefined for HTML and for broken XML', async () => {
		expect(await decodeXmlDocument('<html><body>Bad gateway</body></html>', false)).toBeUndefined();
		expect(await decodeXmlDocument('<xml><error>0</error>', false)).toBeUndefined();
	});
});
