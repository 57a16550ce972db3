// Trunk's post-build hook: release builds get their JS minified (minify.mjs, which also fixes
// the integrity hashes), then every build gets its Content-Security-Policy hash (csp.mjs).
if (process.env.TRUNK_PROFILE === 'release') await import('./minify.mjs');
await import('./csp.mjs');
