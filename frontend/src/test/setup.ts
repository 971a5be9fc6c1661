import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

// jsdom does not lay pages out, so it cannot scroll them.
window.scrollTo = () => undefined;

afterEach(() => {
  cleanup();
  window.history.replaceState(null, "", "/");
  for (const cookie of document.cookie.split(";")) {
    const name = cookie.split("=")[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
});
