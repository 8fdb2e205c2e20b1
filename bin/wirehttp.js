#!/usr/bin/env node
// Thin launcher so the package's bin works from a checkout and from npm alike.
import '../dist/src/cli/main.js';
