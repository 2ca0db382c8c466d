// The Nu HTML Checker (npm vnu-jar, run with the system Java) finds no
// errors in the built site.
'use strict';
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync } = require('node:child_process');
const { siteDir } = require('./browser');

test('Nu HTML Checker: no errors in the built site', () => {
  const jar = require('vnu-jar');
  const r = spawnSync('java', ['-Xss8m', '-jar', jar, '--errors-only', '--skip-non-html', siteDir()], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.equal(r.error, undefined, `cannot run java: ${r.error}`);
  assert.equal(r.status, 0, `vnu reported errors:\n${r.stderr}${r.stdout}`);
});
