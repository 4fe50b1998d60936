/** The HTTP API: `createApiServer` builds it; ./server.ts runs it for `npm run api`. */
export { createApiServer, type ApiServerOptions } from './app';
export { signBody } from './auth';
export type { ReportsProvider } from './route';
