// n8n loads this package through the "n8n" section of package.json, never through this entry.
module.exports = {};
