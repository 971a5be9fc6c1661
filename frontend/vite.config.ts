import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// Django serves the build: dist/index.html for every page, the assets under /static/app/.
// The dev server (`npm run dev`) serves from / and forwards the API to a local runserver.
const DJANGO = "http://127.0.0.1:8000";

export default defineConfig(({ command }) => ({
  base: command === "build" ? "/static/app/" : "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    manifest: true,
  },
  server: {
    proxy: {
      "/api": DJANGO,
      "/admin": DJANGO,
      "/media": DJANGO,
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    restoreMocks: true,
    unstubGlobals: true,
  },
}));
