/**
 * Runs in Node before the workerd tests: the development Plimus identity provider, whose address
 * the Worker under test receives as PLIMUS_ISSUER.
 */
import type { TestProject } from 'vitest/node';
import { startTestIdp } from '../support/idp';

declare module 'vitest' {
  export interface ProvidedContext {
    plimusIssuer: string;
  }
}

export default async function setup(project: TestProject) {
  const idp = await startTestIdp();
  project.provide('plimusIssuer', idp.issuer);
  return () => idp.close();
}
