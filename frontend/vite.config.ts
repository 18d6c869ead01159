import { defineConfig, type Plugin } from "vite";

// Each island is an entry; output goes to the Django static folder, with stable names
// (Django's static files storage adds the content hash).
// janus.js is an ES module with a UMD-style prelude; bundled, its CommonJS branch would be taken
// and its default export left undefined. Its browser branch is the one we want.
const janusAsBrowserModule: Plugin = {
  name: "janus-as-browser-module",
  enforce: "pre",
  transform(code, id) {
    if (!id.includes("janus-gateway")) return null;
    const prelude = "typeof module === 'object' && module.exports";
    if (!code.includes(prelude)) throw new Error("janus.js changed: check its prelude");
    return code.replace(prelude, "false");
  },
};

export default defineConfig({
  plugins: [janusAsBrowserModule],
  build: {
    outDir: "../ensemble/static/dist",
    emptyOutDir: false,
    sourcemap: true,
    target: "es2020",
    rollupOptions: {
      input: { portal: "src/portal.ts", chat: "src/chat/main.ts", meet: "src/meet/main.ts", docs: "src/docs/main.ts", "docs-home": "src/docs/home.ts" },
      output: { entryFileNames: "[name].js", chunkFileNames: "[name].js", assetFileNames: "[name][extname]" },
    },
  },
});
