import { useCallback, useEffect, useId, useRef, useState } from "react";
import { listVideos, videoUrls, type Video } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { FormAlert } from "../components/Forms";
import { sourceLabel, VideoStatusBadge } from "../components/Labels";
import { Link } from "../components/Link";
import { JobProgress } from "../jobs/JobProgress";
import { videoPath } from "../router";
import { formatBytes, formatDuration, formatFps, frameRateOf } from "./frames";
import { VideoUploadForm } from "./VideoUploadForm";

/** The video list as the project page loaded it, or why it could not. */
export type VideosLoad = { videos: Video[] } | { error: string };

interface VideosSectionProps {
  slug: string;
  initial: VideosLoad;
  /** Owners and curators upload; annotators only see the list. */
  canUpload: boolean;
  /** How often the list is read again while a video is being ingested. */
  pollMs?: number;
  /** How often an ingest job's progress is read. */
  jobPollMs?: number;
}

function message(error: unknown, fallback: string): string {
  return error instanceof ApiError ? error.detail : fallback;
}

export function VideosSection({ slug, initial, canUpload, pollMs = 2000, jobPollMs = 1000 }: VideosSectionProps) {
  const id = useId();
  const [videos, setVideos] = useState<Video[] | null>("videos" in initial ? initial.videos : null);
  const [error, setError] = useState<string | null>("error" in initial ? initial.error : null);
  const mounted = useRef(true);
  const inFlight = useRef(false);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const refresh = useCallback(async () => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      const list = await listVideos(slug);
      if (!mounted.current) return;
      setVideos(list);
      setError(null);
    } catch (caught) {
      if (mounted.current) setError(message(caught, "Could not load the videos."));
    } finally {
      inFlight.current = false;
    }
  }, [slug]);

  // While anything is being ingested, read the list again now and then: the row turns ready
  // (or failed) without a reload, whoever uploaded it.
  const processing = videos?.some((video) => video.status === "processing") ?? false;
  useEffect(() => {
    if (!processing) return;
    const timer = window.setInterval(() => void refresh(), pollMs);
    return () => window.clearInterval(timer);
  }, [processing, refresh, pollMs]);

  return (
    <section className="videos" aria-labelledby={`${id}-title`}>
      <div className="section-head">
        <h2 id={`${id}-title`}>Videos</h2>
        {videos !== null && videos.length > 0 && (
          <span className="muted section-count">
            {videos.length} {videos.length === 1 ? "video" : "videos"}
          </span>
        )}
      </div>
      <FormAlert messages={error ? [error] : []} />
      {videos !== null && videos.length === 0 && (
        <div className="empty-state videos-empty" data-testid="videos-empty">
          <h3>No videos yet</h3>
          <p>
            {canUpload
              ? "Upload the project's first video below: drop a file on the upload area or choose one."
              : "The project's owner will add videos; they will appear here once they are ready."}
          </p>
        </div>
      )}
      {videos !== null && videos.length > 0 && (
        <div className="table-wrap">
          <table className="table video-table" data-testid="video-list">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Poster</span>
                </th>
                <th scope="col">Name</th>
                <th scope="col">Subject</th>
                <th scope="col">Source</th>
                <th scope="col">Status</th>
                <th scope="col" className="numeric">
                  Frames
                </th>
                <th scope="col" className="numeric">
                  FPS
                </th>
                <th scope="col" className="numeric">
                  Duration
                </th>
                <th scope="col" className="numeric">
                  Size
                </th>
              </tr>
            </thead>
            <tbody>
              {videos.map((video) => (
                <VideoRow key={video.id} slug={slug} video={video} jobPollMs={jobPollMs} onJobFinished={refresh} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canUpload && <VideoUploadForm slug={slug} onUploaded={() => void refresh()} jobPollMs={jobPollMs} />}
    </section>
  );
}

interface VideoRowProps {
  slug: string;
  video: Video;
  jobPollMs: number;
  onJobFinished: () => void;
}

function VideoRow({ slug, video, jobPollMs, onJobFinished }: VideoRowProps) {
  const ready = video.status === "ready";
  const name = video.original_name || `Video ${video.id}`;
  const rate = frameRateOf(video);
  const dimensions = video.width && video.height ? `${video.width}×${video.height}` : null;
  return (
    <tr data-testid="video-row" data-video-id={video.id}>
      <td className="video-poster-cell">
        {ready ? (
          <img
            className="video-poster"
            src={videoUrls.poster(video.id)}
            alt=""
            loading="lazy"
            width={96}
            height={54}
          />
        ) : (
          <div className={`video-poster video-poster-empty video-poster-${video.status ?? "processing"}`} aria-hidden="true" />
        )}
      </td>
      <th scope="row" className="video-name">
        <Link to={videoPath(slug, video.id)} data-testid="video-link" title={name}>
          {name}
        </Link>
        <span className="video-name-meta muted">
          #{video.id}
          {video.codec ? ` · ${video.codec}` : ""}
          {dimensions ? ` · ${dimensions}` : ""}
          {video.vfr ? " · VFR" : ""}
        </span>
      </th>
      <td className="mono">{video.subject || <span className="muted">—</span>}</td>
      <td className="video-source">{sourceLabel(video.source)}</td>
      <td className="video-status-cell">
        <VideoStatusBadge status={video.status} testId="video-status" />
        {video.status === "processing" && video.job && (
          <div className="video-job">
            <JobProgress jobId={video.job} label="Ingest" intervalMs={jobPollMs} onFinished={onJobFinished} />
          </div>
        )}
        {video.status === "failed" && (
          <p className="video-error" data-testid="video-error">
            {video.error || "The video could not be ingested."}
          </p>
        )}
      </td>
      <td className="numeric">{ready && video.n_frames != null ? video.n_frames.toLocaleString("en-US") : "—"}</td>
      <td className="numeric">{ready ? formatFps(rate) : "—"}</td>
      <td className="numeric">{ready ? formatDuration(video.duration_s) : "—"}</td>
      <td className="numeric">{video.size_bytes ? formatBytes(video.size_bytes) : "—"}</td>
    </tr>
  );
}
