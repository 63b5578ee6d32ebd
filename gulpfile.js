const { src, dest } = require('gulp');

// tsc emits code and the codex JSON; icons have to be copied next to the compiled files.
function buildAssets() {
	return src(['nodes/**/*.svg', 'credentials/**/*.svg'], { base: '.', encoding: false }).pipe(
		dest('dist'),
	);
}

exports['build:assets'] = buildAssets;
