import { createContext, useContext } from "react";

export const SCREENS = [
  { id: "integrations", label: "Settings → Integrations" },
  { id: "incidents", label: "Incidents" },
  { id: "documents", label: "RCAs & post-mortems" },
  { id: "activity", label: "Activity" },
] as const;

export type Screen = (typeof SCREENS)[number]["id"];

/**
 * Where to go: a screen, and optionally the record to open there; `intent`
 * says what to start on it (a connection's sign-in).
 */
export type Destination = { screen: Screen; record?: string | null; intent?: "sign-in" };

export const NavigationContext = createContext<(to: Destination) => void>(() => {});

export function useNavigate() {
  return useContext(NavigationContext);
}
