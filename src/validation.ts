// Inline checks for the forms, so a person sees a problem as they type.
// The Rust side checks everything again and is the authority; these only
// mirror its rules for the fields a form shows.

export type Provider = "confluence" | "servicenow" | "azure_devops";
export type Auth = "api_token" | "pat" | "basic" | "oauth2";

export const AUTH_CHOICES: Record<Provider, { value: Auth; label: string }[]> = {
  confluence: [
    { value: "api_token", label: "Cloud: API token" },
    { value: "oauth2", label: "Cloud: OAuth (sign in)" },
    { value: "pat", label: "Data Center: personal access token" },
  ],
  servicenow: [
    { value: "basic", label: "User name and password" },
    { value: "oauth2", label: "OAuth (sign in)" },
  ],
  azure_devops: [
    { value: "pat", label: "Personal access token" },
    { value: "oauth2", label: "Microsoft Entra (sign in)" },
  ],
};

export type ConnectionForm = {
  provider: Provider;
  auth: Auth;
  name: string;
  url: string;
  username: string;
  secret: string;
  clientId: string;
  clientSecret: string;
  tenant: string;
  project: string;
  space: string;
  authUrl: string;
  tokenUrl: string;
  apiUrl: string;
  makeDefault: boolean;
};

export type FieldErrors = Partial<Record<keyof ConnectionForm, string>>;

function isLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.") || host === "[::1]";
}

export function checkUrl(raw: string): string | undefined {
  const text = raw.trim();
  if (!text) return "Enter the address of the service.";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "This is not a web address; it should start with https://";
  }
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    return "Use https:// — plain http is allowed only for localhost.";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return "Use an https:// address.";
  if (url.username || url.password) return "Leave the user name and password out of the address.";
  return undefined;
}

export function validateConnection(form: ConnectionForm, existingNames: string[]): FieldErrors {
  const errors: FieldErrors = {};
  const name = form.name.trim();
  if (!name) errors.name = "Give the connection a name.";
  else if ([...name].length > 64) errors.name = "At most 64 characters.";
  else if (existingNames.some((n) => n.toLowerCase() === name.toLowerCase())) {
    errors.name = "A connection with this name exists already.";
  }
  const url = checkUrl(form.url);
  if (url) errors.url = url;
  const needsUser = form.auth === "api_token" || form.auth === "basic";
  if (needsUser && !form.username.trim()) {
    errors.username = form.auth === "api_token" ? "Enter the email of the Atlassian account." : "Enter the user name.";
  }
  if (form.auth !== "oauth2" && !form.secret) {
    errors.secret = form.auth === "basic" ? "Enter the password." : "Paste the token.";
  }
  if (form.auth === "oauth2" && !form.clientId.trim()) {
    errors.clientId = "Register an OAuth app with the provider and paste its client id.";
  }
  if (form.provider === "azure_devops" && !form.project.trim()) errors.project = "Enter the project name.";
  for (const key of ["authUrl", "tokenUrl", "apiUrl"] as const) {
    if (form[key].trim()) {
      const problem = checkUrl(form[key]);
      if (problem) errors[key] = problem;
    }
  }
  if (form.provider === "confluence" && form.space.trim() && !/^~?[A-Za-z0-9_]+$/.test(form.space.trim())) {
    errors.space = "A space key is letters and digits, e.g. OPS.";
  }
  return errors;
}

export type IncidentForm = { title: string; severity: string; description: string; status: string };

export function validateIncident(form: IncidentForm): Partial<Record<keyof IncidentForm, string>> {
  const errors: Partial<Record<keyof IncidentForm, string>> = {};
  const title = form.title.trim();
  if (!title) errors.title = "Give the incident a title.";
  else if ([...title].length > 160) errors.title = "At most 160 characters (ServiceNow's limit).";
  if (!["P1", "P2", "P3", "P4"].includes(form.severity)) errors.severity = "Choose P1 to P4.";
  return errors;
}
