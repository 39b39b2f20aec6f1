import { describe, expect, it, vi, beforeEach } from "vitest";
import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

const addConnection = vi.fn();
vi.mock("../bindings", () => ({ commands: { addConnection: (...args: unknown[]) => addConnection(...args) } }));

import { AddConnectionForm } from "./AddConnectionForm";

beforeEach(() => addConnection.mockReset());

describe("Add connection form", () => {
  it("shows each problem inline, by field, and sends nothing", async () => {
    const user = userEvent.setup();
    render(<AddConnectionForm provider="servicenow" existingNames={["prod"]} onAdded={vi.fn()} onCancel={vi.fn()} />);
    await user.type(screen.getByLabelText("Name"), "PROD");
    await user.type(screen.getByLabelText("Address"), "http://acme.example");
    await user.click(screen.getByRole("button", { name: "Add connection" }));
    expect(screen.getByText("A connection with this name exists already.")).toBeInTheDocument();
    expect(screen.getByText(/plain http is allowed only for localhost/)).toBeInTheDocument();
    expect(screen.getByText("Enter the user name.")).toBeInTheDocument();
    expect(screen.getByText("Enter the password.")).toBeInTheDocument();
    expect(addConnection).not.toHaveBeenCalled();
  });

  it("sends the form once valid, then forgets the secret", async () => {
    const user = userEvent.setup();
    const onAdded = vi.fn();
    addConnection.mockResolvedValue({ status: "ok", data: { name: "sn" } });
    render(<AddConnectionForm provider="servicenow" existingNames={[]} onAdded={onAdded} onCancel={vi.fn()} />);
    await user.type(screen.getByLabelText("Name"), "sn");
    await user.type(screen.getByLabelText("Address"), "https://acme.service-now.com");
    await user.type(screen.getByLabelText("User name"), "svc");
    await user.type(screen.getByLabelText("Password"), "s3cret");
    await user.click(screen.getByRole("button", { name: "Add connection" }));
    expect(addConnection).toHaveBeenCalledTimes(1);
    expect(addConnection.mock.calls[0][0]).toMatchObject({
      provider: "servicenow",
      name: "sn",
      auth: "basic",
      username: "svc",
      secret: "s3cret",
      client_id: null,
    });
    expect(onAdded).toHaveBeenCalledWith("sn");
    expect(screen.getByLabelText("Password")).toHaveValue("");
  });

  it("puts a server-side error next to the field it names", async () => {
    const user = userEvent.setup();
    addConnection.mockResolvedValue({
      status: "error",
      error: { kind: "invalid_input", field: "url", message: "invalid url: 'https://x' has no host name" },
    });
    render(<AddConnectionForm provider="confluence" existingNames={[]} onAdded={vi.fn()} onCancel={vi.fn()} />);
    await user.type(screen.getByLabelText("Name"), "wiki");
    await user.type(screen.getByLabelText("Address"), "https://acme.atlassian.net");
    await user.type(screen.getByLabelText("Atlassian account email"), "a@b.example");
    await user.type(screen.getByLabelText("Token"), "tok");
    await user.click(screen.getByRole("button", { name: "Add connection" }));
    expect(await screen.findByText("invalid url: 'https://x' has no host name")).toBeInTheDocument();
  });

  it("asks OAuth connections for a client id and no token", async () => {
    const user = userEvent.setup();
    render(<AddConnectionForm provider="azure_devops" existingNames={[]} onAdded={vi.fn()} onCancel={vi.fn()} />);
    await user.selectOptions(screen.getByLabelText("How to sign in"), "oauth2");
    expect(screen.queryByLabelText("Token")).not.toBeInTheDocument();
    expect(screen.getByLabelText("OAuth client id")).toBeInTheDocument();
    expect(screen.getByLabelText("Tenant (optional)")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Add connection" }));
    expect(screen.getByText(/paste its client id/)).toBeInTheDocument();
    expect(screen.getByText("Enter the project name.")).toBeInTheDocument();
  });
});
