export * from './engine';
export * from './nodes';
export { HarnessCredentialsHelper } from './credentials-helper';
