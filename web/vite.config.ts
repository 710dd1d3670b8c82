// Vite builds the workbench into dist/, which the Go binary embeds (web/embed.go).
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

export default defineConfig({
  plugins: [vue()],
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    sourcemap: false,
  },
  server: {
    // `npm run dev` against `make run` on :8080
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
})
