/**
 * The embedded demo vendor's feed, built once per test run instead of in every test home: a
 * vitest `globalSetup` builds it with the real `ensureDemoVendor` (keys, bundles, TUF repository)
 * in a temporary directory, and `startTestApp` copies it into each new home, where Patchbay then
 * finds a demo vendor as a second start would. The copy is of this run's build, so its metadata is
 * as fresh as one built at the app's start; homes share the vendor keys, as appliances of one
 * vendor do.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import type { TestProject } from 'vitest/node';
import { ensureDemoVendor } from '../../server/demo/demo-vendor.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A home holding only `demo-vendor/`, built at the start of the run. */
    demoVendorTemplate: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'patchbay-demo-vendor-'));
  await ensureDemoVendor(home);
  project.provide('demoVendorTemplate', home);
  return () => fs.rmSync(home, { recursive: true, force: true });
}

/** Copies this run's demo vendor into `home` unless it has one; false outside a vitest run with the setup. */
export function copyDemoVendorTemplate(home: string): boolean {
  const target = path.join(home, 'demo-vendor');
  if (fs.existsSync(target)) return false;
  let template: string | undefined;
  try {
    template = inject('demoVendorTemplate');
  } catch {
    return false; // not in a vitest worker (a benchmark run with tsx): Patchbay builds its own
  }
  if (!template) return false;
  fs.mkdirSync(home, { recursive: true, mode: 0o700 });
  fs.cpSync(path.join(template, 'demo-vendor'), target, { recursive: true });
  return true;
}
