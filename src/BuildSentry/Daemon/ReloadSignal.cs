using System.Runtime.InteropServices;
using BuildSentry.Linux.Interop;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Daemon;

/// <summary>SIGHUP (<c>systemctl reload</c>) reloads the profiles on the loop.</summary>
internal sealed partial class ReloadSignal(MonitorPipeline pipeline, ProfileReloader reloader, ILogger<ReloadSignal> logger) : IHostedService
{
    private PosixSignalRegistration? _registration;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        // .NET keeps an inherited SIG_IGN (nohup, or a runner that ignores SIGHUP): reloads by signal would do nothing.
        if (SignalDisposition.UnignoreInherited(Tmds.Linux.LibC.SIGHUP))
        {
            LogSighupUnignored();
        }

        _registration = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            pipeline.Queue.Post(() => reloader.Reload("SIGHUP"));
        });
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _registration?.Dispose();
        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "SIGHUP was ignored by the process that started the daemon (nohup or similar); its default is restored so that SIGHUP reloads")]
    private partial void LogSighupUnignored();
}
