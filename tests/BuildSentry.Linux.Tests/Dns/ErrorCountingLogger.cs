using System.Collections.Concurrent;
using BuildSentry.Linux.Dns;
using Microsoft.Extensions.Logging;

namespace BuildSentry.Linux.Tests.Dns;

/// <summary>Keeps the forwarder's Error lines, from any thread: an unexpected exception in a query is logged at Error.</summary>
internal sealed class ErrorCountingLogger : ILogger<DnsForwarder>
{
    public ConcurrentQueue<string> Errors { get; } = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (logLevel >= LogLevel.Error)
        {
            Errors.Enqueue($"{eventId.Id} {formatter(state, exception)} {exception}");
        }
    }
}
