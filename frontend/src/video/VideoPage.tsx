import { useCallback, useEffect, useMemo, useState } from "react";
import { getProject, getVideo, type Project, type Video } from "../api/endpoints";
import { ApiError } from "../api/errors";
import { sourceLabel, VideoStatusBadge } from "../components/Labels";
import { Link } from "../components/Link";
import { PageState } from "../components/PageState";
import { JobProgress } from "../jobs/JobProgress";
import { projectPath } from "../router";
import { formatBytes, formatDuration, formatFps, frameRateOf, parseSprite } from "./frames";
import { VideoPlayer } from "./VideoPlayer";

type Loaded =
  | { state: "loading" }
  | { state: "ready"; project: Project; video: Video }
  | { state: "not-found" }
  | { state: "error"; message: string };

/** A frame to start on, from `?frame=N`. */
function initialFrame(search: string): number {
  const value = new URLSearchParams(search).get("frame");
  return value && /^\d+$/.test(value) ? Number(value) : 0;
}

export function VideoPage({ slug, videoId, search = "" }: { slug: string; videoId: number; search?: string }) {
  const [loaded, setLoaded] = useState<Loaded>({ state: "loading" });

  const load = useCallback(
    async (isActive: () => boolean = () => true) => {
      try {
        const [project, video] = await Promise.all([getProject(slug), getVideo(videoId)]);
        if (!isActive()) return;
        // A video is only shown under its own project.
        if (video.project !== project.slug) setLoaded({ state: "not-found" });
        else setLoaded({ state: "ready", project, video });
      } catch (error) {
        if (!isActive()) return;
        if (error instanceof ApiError && error.status === 404) setLoaded({ state: "not-found" });
        else setLoaded({ state: "error", message: error instanceof ApiError ? error.detail : "Could not load the video." });
      }
    },
    [slug, videoId],
  );

  useEffect(() => {
    let active = true;
    setLoaded({ state: "loading" });
    void load(() => active);
    return () => {
      active = false;
    };
  }, [load]);

  const title = loaded.state === "ready" ? loaded.video.original_name || `Video ${videoId}` : null;
  useEffect(() => {
    if (title) document.title = `${title} · ${slug} · Spotlab`;
  }, [title, slug]);

  if (loaded.state !== "ready") {
    return (
      <PageState
        loaded={loaded}
        loading="Loading video…"
        notFoundTitle="Video not found"
        notFound={
          <>
            <p>No such video in this project, or you are not a member of it.</p>
            <p>
              <Link to={projectPath(slug)}>Back to the project</Link>
            </p>
          </>
        }
        retry={() => void load()}
      />
    );
  }
  return <VideoView project={loaded.project} video={loaded.video} search={search} onReload={() => void load()} />;
}

interface VideoViewProps {
  project: Project;
  video: Video;
  search: string;
  onReload: () => void;
}

function VideoView({ project, video, search, onReload }: VideoViewProps) {
  const rate = useMemo(() => frameRateOf(video), [video]);
  const sprite = useMemo(() => parseSprite(video.sprite), [video]);
  const name = video.original_name || `Video ${video.id}`;
  const nFrames = video.n_frames ?? 0;
  const width = video.proxy_width ?? video.width ?? null;
  const height = video.proxy_height ?? video.height ?? null;

  return (
    <main className="page">
      <nav className="breadcrumbs" aria-label="Breadcrumbs">
        <Link to="/projects">Projects</Link> <span aria-hidden="true">/</span>{" "}
        <Link to={projectPath(project.slug)}>{project.name}</Link> <span aria-hidden="true">/</span>{" "}
        <span>Videos</span>
      </nav>
      <header className="video-header">
        <h1 data-testid="video-title" title={name}>
          {name}
        </h1>
        <VideoStatusBadge status={video.status} testId="video-status" />
      </header>
      <ul className="video-facts" aria-label="About this video">
        <li>
          Subject <strong className="mono">{video.subject || "—"}</strong>
        </li>
        <li>{sourceLabel(video.source)}</li>
        {video.width && video.height ? (
          <li>
            {video.width}×{video.height}
            {video.rotation ? ` (rotated ${video.rotation}°)` : ""}
          </li>
        ) : null}
        {rate && <li>{formatFps(rate)} fps{video.vfr ? " (variable, re-timed)" : ""}</li>}
        {video.n_frames != null && <li>{video.n_frames.toLocaleString("en-US")} frames</li>}
        {video.duration_s != null && <li>{formatDuration(video.duration_s)}</li>}
        {video.codec && <li className="mono">{video.codec}</li>}
        <li>{formatBytes(video.size_bytes)}</li>
        {video.has_audio === false && <li>no audio</li>}
      </ul>

      {video.status === "processing" && (
        <div className="video-pending">
          <p>This video is being ingested; it can be played once it is ready.</p>
          {video.job && <JobProgress jobId={video.job} label="Ingest" onFinished={onReload} />}
        </div>
      )}
      {video.status === "failed" && (
        <div className="alert alert-error" role="alert" data-testid="video-error">
          {video.error || "The video could not be ingested."}
        </div>
      )}
      {video.status === "ready" &&
        (rate && nFrames > 0 ? (
          <VideoPlayer
            videoId={video.id}
            rate={rate}
            nFrames={nFrames}
            width={width}
            height={height}
            sprite={sprite}
            initialFrame={Math.min(initialFrame(search), nFrames - 1)}
          />
        ) : (
          <div className="alert alert-error" role="alert">
            The video has no frame rate or no frames on record, so it cannot be played frame by frame.
          </div>
        ))}
    </main>
  );
}
