import { defineConfig } from "vite";

// Each island is an entry; output goes to the Django static folder, with stable names
// (Django's static files storage adds the content hash).
export default defineConfig({
  build: {
    outDir: "../ensemble/static/dist",
    emptyOutDir: false,
    sourcemap: true,
    target: "es2020",
    rollupOptions: {
      input: { portal: "src/portal.ts", chat: "src/chat/main.ts" },
      output: { entryFileNames: "[name].js", chunkFileNames: "[name].js", assetFileNames: "[name][extname]" },
    },
  },
});
