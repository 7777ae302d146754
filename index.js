'use strict';

// n8n loads the files listed in package.json "n8n"; this entry lets plain Node code (tests, scripts) require the classes.
const { AltcraftPromo } = require('./dist/nodes/AltcraftPromo/AltcraftPromo.node.js');
const { AltcraftApi } = require('./dist/credentials/AltcraftApi.credentials.js');

module.exports = { AltcraftPromo, AltcraftApi };
