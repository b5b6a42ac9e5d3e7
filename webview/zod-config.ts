import { z } from 'zod';

// zod compiles fast validators with new Function(), which the webview's CSP forbids
// (no 'unsafe-eval'); jitless mode validates without it. Imported first by main.ts.
z.config({ jitless: true });
