/** One download with Patchbay's downloader, in its own process so that its peak memory is its own. */
import { download } from '../../server/adapters/download/resumable-downloader.js';

const [url, length, sha256, dest] = process.argv.slice(2);
const started = performance.now();
await download({ url: url!, length: Number(length), sha256: sha256! }, dest!, { freeSpace: async () => Number.MAX_SAFE_INTEGER });
const ms = performance.now() - started;
process.stdout.write(JSON.stringify({ ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 }) + '\n');
