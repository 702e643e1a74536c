import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { precompress } from './precompress.ts';

/** `make ui-dev`: Vite with hot reload on UI_PORT, passing the API, the event stream and the terminal to the lab. */
const lab = process.env.LAB_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8080}`;

export default defineConfig({
  plugins: [react(), precompress()],
  server: {
    host: '127.0.0.1',
    port: Number(process.env.UI_PORT ?? 5173),
    strictPort: true,
    proxy: {
      '/api': lab,
      '/health': lab,
      '/lab': { target: lab, ws: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Mermaid is large but loads only when a diagram is on screen; the first page does not wait for it.
    chunkSizeWarningLimit: 3000,
  },
});
