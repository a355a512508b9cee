// Build of the dashboard: `npm run build:ui` writes it to dist/ui/, served under /ui/ by the server.
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/ui/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    // Inlined assets would need a looser Content-Security-Policy, so every asset stays a file.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
});
