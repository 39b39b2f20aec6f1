import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach, vi } from "vitest";

afterEach(() => cleanup());

// Component tests run without the Tauri host, so no store-change event
// ever arrives; a test of the events themselves mocks this module again.
vi.mock("@tauri-apps/api/event", () => ({ listen: async () => () => {} }));
