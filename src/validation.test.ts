import { describe, expect, it } from "vitest";
import { checkUrl, validateConnection, validateIncident, type ConnectionForm } from "./validation";

const base: ConnectionForm = {
  provider: "servicenow",
  auth: "basic",
  name: "sn",
  url: "https://acme.service-now.com",
  username: "svc",
  secret: "pw",
  clientId: "",
  clientSecret: "",
  tenant: "",
  project: "",
  space: "",
  authUrl: "",
  tokenUrl: "",
  apiUrl: "",
  makeDefault: false,
};

describe("connection form rules", () => {
  it("accepts a complete form", () => {
    expect(validateConnection(base, [])).toEqual({});
  });

  it("names each missing or bad field", () => {
    const errors = validateConnection({ ...base, name: " ", url: "http://acme.example", username: "", secret: "" }, []);
    expect(Object.keys(errors).sort()).toEqual(["name", "secret", "url", "username"]);
    expect(errors.url).toMatch(/https/);
  });

  it("refuses duplicate names whatever the case", () => {
    expect(validateConnection({ ...base, name: "Prod" }, ["prod"]).name).toMatch(/exists/);
  });

  it("asks OAuth connections for a client id, not a secret", () => {
    const errors = validateConnection({ ...base, auth: "oauth2", secret: "", username: "" }, []);
    expect(errors).toEqual({ clientId: expect.stringMatching(/client id/) });
  });

  it("needs a project for Azure DevOps and a valid space key for Confluence", () => {
    expect(validateConnection({ ...base, provider: "azure_devops", auth: "pat", username: "" }, []).project).toBeDefined();
    expect(validateConnection({ ...base, provider: "confluence", auth: "pat", username: "", space: "O PS" }, []).space).toBeDefined();
  });

  it("checks endpoint overrides like addresses", () => {
    expect(validateConnection({ ...base, tokenUrl: "http://evil.example/token" }, []).tokenUrl).toMatch(/https/);
    expect(validateConnection({ ...base, tokenUrl: "http://127.0.0.1:9/token" }, [])).toEqual({});
  });

  it("allows plain http only to loopback", () => {
    expect(checkUrl("http://127.0.0.1:8080")).toBeUndefined();
    expect(checkUrl("http://localhost:1")).toBeUndefined();
    expect(checkUrl("http://wiki.example")).toBeDefined();
    expect(checkUrl("https://user:pw@wiki.example")).toMatch(/user name/);
    expect(checkUrl("wiki")).toBeDefined();
  });
});

describe("incident form rules", () => {
  it("checks title and severity", () => {
    expect(validateIncident({ title: "DB down", severity: "P1", description: "", status: "investigating" })).toEqual({});
    expect(validateIncident({ title: "", severity: "P9", description: "", status: "investigating" })).toEqual({
      title: expect.any(String),
      severity: expect.any(String),
    });
    expect(validateIncident({ title: "x".repeat(161), severity: "P2", description: "", status: "investigating" }).title).toMatch(/160/);
  });
});
