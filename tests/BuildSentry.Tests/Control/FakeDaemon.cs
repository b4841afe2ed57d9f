using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using BuildSentry.Control;

namespace BuildSentry.Tests.Control;

/// <summary>Records what the control server hands the daemon and answers as the test tells it to.</summary>
internal sealed class FakeDaemon : IDaemonControl
{
    public ConcurrentQueue<(ControlRequest Request, PeerCredentials Peer)> Requests { get; } = new();

    public ConcurrentQueue<(PeerCredentials Peer, string Reason)> Refusals { get; } = new();

    /// <summary>Answers a request; by default ok, with a status body for <c>status</c>.</summary>
    public Func<ControlRequest, CancellationToken, Task<ControlResponse>> Answer { get; set; } = (request, _) =>
        Task.FromResult(request.Command == ControlCommands.Status
            ? new ControlResponse(true, "status") { Body = StatusBody() }
            : new ControlResponse(true, $"{request.Command} done"));

    public static JsonObject StatusBody() => new()
    {
        ["version"] = "1.0",
        ["jobs"] = new JsonArray(
            new JsonObject { ["jobId"] = "github-42-1-build", ["ci"] = "github", ["rootPid"] = 4242, ["mode"] = "kill" },
            new JsonObject { ["jobId"] = "gitlab-7", ["ci"] = "gitlab", ["rootPid"] = 77, ["mode"] = "audit\u001b[31m" }),
        ["counters"] = new JsonObject { ["events"] = 1234, ["lostEvents"] = 0 },
    };

    public async Task<ControlResponse> HandleAsync(ControlRequest request, PeerCredentials peer, CancellationToken cancellationToken)
    {
        Requests.Enqueue((request, peer));
        return await Answer(request, cancellationToken);
    }

    public void PeerRefused(PeerCredentials peer, string reason) => Refusals.Enqueue((peer, reason));
}
