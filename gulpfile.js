const { src, dest } = require('gulp');

// tsc emits only code; n8n also needs the icons and the codex file beside each compiled file.
function buildAssets() {
	return src(['nodes/**/*.svg', 'nodes/**/*.node.json', 'credentials/**/*.svg'], {
		base: '.',
		encoding: false,
	}).pipe(dest('dist'));
}

exports['build:assets'] = buildAssets;
