using BuildSentry.Configuration;

namespace BuildSentry.Daemon;

/// <summary>What `buildsentry run` was started with: the configuration path (null: default or embedded) and its content.</summary>
internal sealed record DaemonOptions(string? ConfigurationPath, DaemonConfiguration Configuration);
