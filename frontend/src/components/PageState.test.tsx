import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { PageState } from "./PageState";

const common = { loading: "Loading the pass…", notFoundTitle: "Pass not found", notFound: <p>Not yours.</p> };

describe("PageState", () => {
  it("says it is loading, in the wide layout when asked", () => {
    const { container } = render(<PageState loaded={{ state: "loading" }} {...common} wide />);
    expect(screen.getByRole("status").textContent).toBe("Loading the pass…");
    expect(container.querySelector("main")!.className).toBe("page page-wide");
  });

  it("shows the not-found state with its explanation and the way back", () => {
    render(<PageState loaded={{ state: "not-found" }} {...common} wide />);
    const block = screen.getByTestId("not-found");
    expect(block.querySelector("h1")!.textContent).toBe("Pass not found");
    expect(block.textContent).toContain("Not yours.");
    expect(screen.getByRole("link", { name: "Back to your projects" }).getAttribute("href")).toBe("/projects");
  });

  it("shows the error, and Try again only when the page can retry", async () => {
    const retry = vi.fn();
    const { rerender } = render(<PageState loaded={{ state: "error", message: "The server failed." }} {...common} retry={retry} />);
    expect(screen.getByRole("alert").textContent).toBe("The server failed.");
    await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
    expect(retry).toHaveBeenCalledTimes(1);
    rerender(<PageState loaded={{ state: "error", message: "The server failed." }} {...common} />);
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });
});
