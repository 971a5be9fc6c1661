import { useEffect, useId, useRef, useState, type DragEvent, type FormEvent } from "react";
import type { VideoReceived, VideoSource } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { uploadVideo, type UploadProgress } from "../api/upload";
import { Field, fieldAria } from "../components/Forms";
import { SOURCE_LABELS, SOURCES } from "../components/Labels";
import { JobProgress } from "../jobs/JobProgress";
import { formatBytes } from "./frames";

type Phase =
  | { state: "idle" }
  | { state: "uploading"; name: string; progress: UploadProgress }
  | { state: "ingesting"; name: string; received: VideoReceived }
  | { state: "ingested"; name: string; received: VideoReceived }
  | { state: "duplicate"; name: string; received: VideoReceived }
  | { state: "failed"; name: string; message: string; fields: Record<string, string[]> };

interface VideoUploadFormProps {
  slug: string;
  /** A video was received (new or a duplicate): the list should be read again. */
  onUploaded: (received: VideoReceived) => void;
  jobPollMs?: number;
}

const ACCEPT = "video/*,.mp4,.m4v,.mov,.mkv,.webm,.avi,.mts,.m2ts,.mpg,.mpeg,.wmv,.flv";

export function VideoUploadForm({ slug, onUploaded, jobPollMs }: VideoUploadFormProps) {
  const id = useId();
  const [file, setFile] = useState<File | null>(null);
  const [subject, setSubject] = useState("");
  const [source, setSource] = useState<VideoSource>("interview");
  const [phase, setPhase] = useState<Phase>({ state: "idle" });
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const controller = useRef<AbortController | null>(null);

  // Leaving the page cancels an upload in progress.
  useEffect(() => () => controller.current?.abort(), []);

  const uploading = phase.state === "uploading";

  function choose(chosen: File | null | undefined) {
    setFile(chosen ?? null);
    if (phase.state !== "uploading" && phase.state !== "ingesting") setPhase({ state: "idle" });
  }

  function handleDragOver(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    event.dataTransfer.dropEffect = uploading ? "none" : "copy";
    if (!uploading) setDragging(true);
  }

  function handleDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    if (uploading) return;
    const dropped = event.dataTransfer.files[0];
    if (dropped) choose(dropped);
  }

  async function handleSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (uploading) return;
    if (!file) {
      setPhase({ state: "failed", name: "", message: "Choose a video file to upload.", fields: {} });
      fileInput.current?.focus();
      return;
    }
    const abort = new AbortController();
    controller.current = abort;
    const name = file.name;
    setPhase({ state: "uploading", name, progress: { loaded: 0, total: file.size } });
    try {
      const received = await uploadVideo(
        slug,
        { file, subject: subject.trim(), source },
        {
          signal: abort.signal,
          onProgress: (progress) => setPhase({ state: "uploading", name, progress }),
        },
      );
      if (abort.signal.aborted) return;
      setFile(null);
      if (fileInput.current) fileInput.current.value = "";
      setPhase(
        received.duplicate || !received.job
          ? { state: "duplicate", name, received }
          : { state: "ingesting", name, received },
      );
      onUploaded(received);
    } catch (caught) {
      const error = caught instanceof ApiError ? caught : null;
      if (error?.code === "aborted") {
        setPhase({ state: "idle" });
        return;
      }
      setPhase({
        state: "failed",
        name,
        message: error?.detail ?? "The upload failed.",
        fields: error?.fields ?? {},
      });
    } finally {
      if (controller.current === abort) controller.current = null;
    }
  }

  const subjectErrors = phase.state === "failed" ? phase.fields.subject : undefined;
  const percent =
    phase.state === "uploading" && phase.progress.total > 0
      ? Math.min(100, Math.round((phase.progress.loaded / phase.progress.total) * 100))
      : 0;

  return (
    <form
      className="video-upload"
      data-testid="video-upload-form"
      onSubmit={handleSubmit}
      noValidate
      aria-labelledby={`${id}-title`}
    >
      <h3 id={`${id}-title`}>Upload a video</h3>
      <div
        className={`dropzone${dragging ? " dropzone-active" : ""}${file ? " dropzone-chosen" : ""}`}
        data-testid="video-upload-dropzone"
        onDragOver={handleDragOver}
        onDragEnter={handleDragOver}
        onDragLeave={() => setDragging(false)}
        onDrop={handleDrop}
      >
        <input
          ref={fileInput}
          id={`${id}-file`}
          className="visually-hidden dropzone-input"
          type="file"
          accept={ACCEPT}
          data-testid="video-upload-file"
          disabled={uploading}
          onChange={(event) => choose(event.target.files?.[0])}
        />
        {file ? (
          <p className="dropzone-file">
            <span className="dropzone-file-name" data-testid="video-upload-chosen">
              {file.name}
            </span>
            <span className="muted"> · {formatBytes(file.size)}</span>
          </p>
        ) : (
          <p className="dropzone-prompt">Drop a video file here</p>
        )}
        <label htmlFor={`${id}-file`} className="button button-small dropzone-choose">
          {file ? "Choose another file" : "Choose a file"}
        </label>
        <p className="dropzone-hint muted">
          MP4, MOV, MKV, WebM, AVI… any format ffmpeg reads. The same file is never stored twice.
        </p>
      </div>
      <div className="inline-fields">
        <Field id={`${id}-subject`} label="Subject code" errors={subjectErrors} hint="The person filmed, e.g. s07 (optional)">
          <input
            {...fieldAria(`${id}-subject`, { errors: subjectErrors, hint: true })}
            data-testid="video-upload-subject"
            autoCapitalize="none"
            spellCheck={false}
            autoComplete="off"
            maxLength={64}
            value={subject}
            disabled={uploading}
            onChange={(event) => setSubject(event.target.value)}
          />
        </Field>
        <Field id={`${id}-source`} label="Source">
          <select
            {...fieldAria(`${id}-source`, {})}
            data-testid="video-upload-source"
            value={source}
            disabled={uploading}
            onChange={(event) => setSource(event.target.value as VideoSource)}
          >
            {SOURCES.map((option) => (
              <option key={option} value={option}>
                {SOURCE_LABELS[option]}
              </option>
            ))}
          </select>
        </Field>
        <div className="field field-action">
          {uploading ? (
            <button type="button" className="button" onClick={() => controller.current?.abort()}>
              Cancel upload
            </button>
          ) : (
            <button type="submit" className="button button-primary" data-testid="video-upload-submit">
              Upload
            </button>
          )}
        </div>
      </div>

      {phase.state === "uploading" && (
        <div className="job job-running upload-progress" data-testid="video-upload-progress">
          <div className="job-head">
            <span className="job-label">Uploading {phase.name}</span>
            <span className="job-state">
              {percent}% · {formatBytes(phase.progress.loaded)} of {formatBytes(phase.progress.total)}
            </span>
          </div>
          <div
            className="job-bar"
            role="progressbar"
            aria-label={`Uploading ${phase.name}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
          >
            <div className="job-bar-fill" style={{ width: `${percent}%` }} />
          </div>
        </div>
      )}
      {phase.state === "ingesting" && phase.received.job && (
        <div className="upload-ingest" role="status">
          <JobProgress
            jobId={phase.received.job}
            label={`Ingesting ${phase.name}`}
            intervalMs={jobPollMs}
            onFinished={(job) => {
              onUploaded(phase.received);
              // A failed ingest stays on screen with its reason; a finished one says so briefly.
              if (job.state === "succeeded") setPhase({ state: "ingested", name: phase.name, received: phase.received });
            }}
          />
        </div>
      )}
      {phase.state === "ingested" && (
        <div className="alert alert-success" role="status" data-testid="video-upload-done">
          {phase.name} is ready (video #{phase.received.id}).
        </div>
      )}
      {phase.state === "duplicate" && (
        <div className="alert alert-info" role="status" data-testid="video-upload-duplicate">
          {phase.name} is already in the project (video #{phase.received.id}); it was not stored again.
        </div>
      )}
      {phase.state === "failed" && (
        <div className="alert alert-error" role="alert" data-testid="video-upload-error">
          {phase.name ? `${phase.name}: ` : ""}
          {phase.message}
        </div>
      )}
    </form>
  );
}
