namespace BuildSentry.Linux.Capture;

/// <summary>Receives frames synchronously on the capture thread; calls are never concurrent.</summary>
public delegate void FrameHandler(in CapturedFrame frame);
