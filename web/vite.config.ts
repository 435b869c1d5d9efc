import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vite';

const API = process.env.PATCHBAY_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // No inline scripts or eval: the server sends a strict Content-Security-Policy.
    modulePreload: { polyfill: false },
  },
  server: {
    proxy: {
      '/graphql': {
        target: API,
        ws: true,
        configure(proxy) {
          // The server checks Origin against its own: present the proxied requests as coming from it.
          proxy.on('proxyReq', (req) => req.setHeader('origin', API));
          proxy.on('proxyReqWs', (req) => req.setHeader('origin', API));
        },
      },
    },
  },
});
