// Test-only entry: runs the TypeScript delivery worker through tsx (dist/ has the built one).
import { register } from 'tsx/esm/api';

register();
await import('../delivery-worker.ts');
