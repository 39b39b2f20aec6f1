import { describe, expect, it, vi, beforeEach } from "vitest";
import { render, screen } from "@testing-library/react";

const startupProblem = vi.fn();
const about = vi.fn();
vi.mock("../bindings", () => ({
  commands: { startupProblem: () => startupProblem(), about: () => about() },
}));

import { StartupGate } from "./StartupGate";
import { About } from "./About";

beforeEach(() => {
  startupProblem.mockReset();
  about.mockReset();
});

describe("Start-up gate", () => {
  it("shows the screens when the data opened", async () => {
    startupProblem.mockResolvedValue(null);
    render(
      <StartupGate>
        <p>the screens</p>
      </StartupGate>,
    );
    expect(await screen.findByText("the screens")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows why, alone, when the data could not be opened", async () => {
    const why =
      "Incident Bridge could not open its data: the database was written by a newer Incident Bridge (schema 9, this build knows 4); upgrade the app";
    startupProblem.mockResolvedValue(why);
    render(
      <StartupGate>
        <p>the screens</p>
      </StartupGate>,
    );
    expect(await screen.findByTestId("startup-problem")).toHaveTextContent(why);
    expect(screen.getByRole("heading", { name: "Incident Bridge cannot open its data" })).toBeInTheDocument();
    expect(screen.queryByText("the screens")).not.toBeInTheDocument();
  });
});

describe("About panel", () => {
  it("shows the version and the database schema", async () => {
    about.mockResolvedValue({ version: "1.2.3", schema_version: 7 });
    render(<About />);
    expect(await screen.findByTestId("about-version")).toHaveTextContent("1.2.3");
    expect(screen.getByTestId("about-schema")).toHaveTextContent("7");
  });
});
