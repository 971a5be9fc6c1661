import { beforeEach, describe, expect, it, vi } from "vitest";
import { FakeXhr } from "../test/videos";
import { ApiError } from "./errors";
import { uploadVideo } from "./upload";

const file = new File([new Uint8Array(1000)], "clip.mp4", { type: "video/mp4" });
const cookies = () => "sessionid=s; csrftoken=tok-9";

describe("uploadVideo", () => {
  beforeEach(() => {
    FakeXhr.install();
  });

  it("posts the file as multipart with the CSRF token and reports the bytes sent", async () => {
    const onProgress = vi.fn();
    const upload = { file, subject: "s01", source: "lab" } as const;
    const pending = uploadVideo("alpha", upload, { onProgress, readCookies: cookies });
    const xhr = FakeXhr.last();

    expect(xhr.method).toBe("POST");
    expect(xhr.url).toBe("/api/v1/projects/alpha/videos/");
    expect(xhr.headers["X-CSRFToken"]).toBe("tok-9");
    expect(xhr.headers.Accept).toBe("application/json");
    const form = xhr.body as FormData;
    expect((form.get("file") as File).name).toBe("clip.mp4");
    expect(form.get("subject")).toBe("s01");
    expect(form.get("source")).toBe("lab");

    xhr.progress(400, 1200);
    expect(onProgress).toHaveBeenLastCalledWith({ loaded: 400, total: 1200 });
    xhr.respond(201, { id: 3, status: "processing", job: "j-1", duplicate: false });

    await expect(pending).resolves.toEqual({ id: 3, status: "processing", job: "j-1", duplicate: false });
  });

  it("leaves out an empty subject", async () => {
    const pending = uploadVideo("alpha", { file, subject: "", source: "other" }, { readCookies: cookies });
    const xhr = FakeXhr.last();
    expect((xhr.body as FormData).has("subject")).toBe(false);
    xhr.respond(200, { id: 3, status: "ready", job: null, duplicate: true });
    await expect(pending).resolves.toMatchObject({ duplicate: true });
  });

  it("rejects with the API's message", async () => {
    const pending = uploadVideo("alpha", { file, subject: "", source: "other" }, { readCookies: cookies });
    FakeXhr.last().respond(413, {
      code: "too_large",
      detail: "The file is larger than the upload limit of 2048 MiB.",
      fields: { file: ["Too large."] },
    });
    const error = await pending.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 413,
      code: "too_large",
      detail: "The file is larger than the upload limit of 2048 MiB.",
    });
  });

  it("gives a readable message when the answer is not the API's", async () => {
    const pending = uploadVideo("alpha", { file, subject: "", source: "other" }, { readCookies: cookies });
    FakeXhr.last().respond(502, "<html>Bad gateway</html>");
    await expect(pending).rejects.toMatchObject({ status: 502, detail: "The server failed (HTTP 502). Try again later." });
  });

  it("rejects when the connection fails", async () => {
    const pending = uploadVideo("alpha", { file, subject: "", source: "other" }, { readCookies: cookies });
    FakeXhr.last().fail();
    await expect(pending).rejects.toMatchObject({ status: 0, code: "network_error" });
  });

  it("can be cancelled", async () => {
    const controller = new AbortController();
    const options = { signal: controller.signal, readCookies: cookies };
    const pending = uploadVideo("alpha", { file, subject: "", source: "other" }, options);
    controller.abort();
    expect(FakeXhr.last().aborted).toBe(true);
    await expect(pending).rejects.toMatchObject({ code: "aborted" });
  });
});
