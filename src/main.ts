// Composition root for `npm start`.
import { startServer } from './start.js';

await startServer();
