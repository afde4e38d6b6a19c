#!/usr/bin/env node
// First step of `pnpm test`: makes sure the Debian packages the tests need (scripts/test-deps.mjs) are
// here. Nothing to do when they are (no apt call at all). As root it installs the missing ones
// (apt-get update, then install); otherwise it prints the one apt-get line to run and fails.
import { spawnSync } from 'node:child_process';
import { debianPackages, missingTestDeps } from './test-deps.mjs';

const missing = missingTestDeps();
if (missing.length > 0) {
  const list = missing.map((d) => `  ${d.name} (Debian package ${d.apt})`).join('\n');
  const install = ['install', '-y', '--no-install-recommends', ...debianPackages(missing)];
  const line = `apt-get ${install.join(' ')}`;
  if (process.getuid?.() !== 0) {
    console.error(`test deps: the tests need what this machine lacks:\n${list}\nInstall them as root (sudo), then run pnpm test again:\n${line}`);
    process.exit(1);
  }
  console.log(`test deps: installing from Debian:\n${list}\n${line}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [['update', '-qq'], [...install, '-qq']]) {
    const r = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (r.status !== 0) {
      console.error(`test deps: apt-get ${args.join(' ')} failed (${r.error?.message ?? `exit ${r.status}`})`);
      process.exit(1);
    }
  }
  const still = missingTestDeps();
  if (still.length > 0) {
    console.error(`test deps: still missing after apt-get install: ${still.map((d) => d.name).join(', ')}`);
    process.exit(1);
  }
}
