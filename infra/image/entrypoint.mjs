#!/usr/bin/env node
// The container's entrypoint: prepare the environment from the injected secrets, then run the `mowt`
// command given as arguments (`start`, `worker`, `migrate`, …) in this same process.
import { prepareEnvironment } from './runtime-env.mjs';

const set = prepareEnvironment(process.env);
if (set.length) console.error(`entrypoint: prepared ${set.join(', ')} from the injected secrets`);
await import('../../bin/mowt.js');
