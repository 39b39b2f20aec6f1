import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// The Tauri window loads dist/ (release) or this dev server (tauri dev).
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "es2022", sourcemap: false },
  test: {
    environment: "jsdom",
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
  },
});
