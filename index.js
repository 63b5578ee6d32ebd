// Not shipped and never loaded by n8n, which finds the node and credential through the "n8n" section
// of package.json. It exists so that require() of a checkout resolves to something harmless.
module.exports = {};
