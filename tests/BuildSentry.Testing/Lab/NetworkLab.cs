using System.Net;

namespace BuildSentry.Testing.Lab;

/// <summary>
/// A small internet in a network namespace, built by scripts/lab.sh: a resolver, HTTP, HTTPS, sink
/// and source servers on registry.test, mirror.test and evil.test, reachable from the root
/// namespace (the build agent) over the veth <see cref="AgentInterface"/>. Jobs run through
/// <see cref="StartJob"/> resolve names with the lab resolver. One lab exists at a time on a machine:
/// starting one tears down any other, so tests that use it belong in one non-parallel collection.
/// </summary>
public sealed partial class NetworkLab : IAsyncDisposable
{
    public const string NamespaceName = "bslab-inet";
    public const string AgentInterface = "bslab0";
    public const string StateDirectory = "/run/buildsentry-lab";
    public const string ExfilDomain = "exfil.test";
    public const int HttpPort = 80;
    public const int HttpsPort = 443;
    public const int SinkPort = 9000;
    public const int SourcePort = 9001;

    public static readonly IPAddress AgentAddress = IPAddress.Parse("198.18.0.1");
    public static readonly IPAddress AgentAddressV6 = IPAddress.Parse("fd00:b5e:1ab::1");
    public static readonly IPAddress ResolverAddress = IPAddress.Parse("198.18.0.2");
    public static readonly IPAddress ResolverAddressV6 = IPAddress.Parse("fd00:b5e:1ab::2");

    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(15);

    private readonly Dictionary<string, LabHost> _hosts;
    private bool _disposed;

    private NetworkLab(IReadOnlyList<LabHost> hosts, TimeSpan delay)
    {
        Hosts = hosts;
        _hosts = hosts.ToDictionary(host => host.Name, StringComparer.OrdinalIgnoreCase);
        Delay = delay;
    }

    public static string ScriptPath => System.IO.Path.Combine(RepositoryRoot.Path, "scripts", "lab.sh");

    public IReadOnlyList<LabHost> Hosts { get; }

    /// <summary>Added to every round trip between the agent and the lab (held on the way in).</summary>
    public TimeSpan Delay { get; private set; }

    public string CertificatePath => System.IO.Path.Combine(StateDirectory, "tls", "cert.pem");

    public LabHost Registry => Host("registry.test");

    public LabHost Mirror => Host("mirror.test");

    public LabHost Evil => Host("evil.test");

    /// <summary>Builds the lab (tearing down any leftover first) and waits until it answers.</summary>
    public static async Task<NetworkLab> StartAsync(TimeSpan delay = default, CancellationToken cancellationToken = default)
    {
        Requirements.Linux();
        Requirements.Root();
        await LabLock.AcquireAsync(LockTimeout, cancellationToken);
        await RunScriptAsync(["up", "--delay-ms", DelayMilliseconds(delay)], cancellationToken);
        return new NetworkLab(LabHostsFile.Read(System.IO.Path.Combine(StateDirectory, "hosts")), delay);
    }

    /// <summary>Tears down whatever lab exists, started by this process or not.</summary>
    public static async Task StopAnyAsync(CancellationToken cancellationToken = default)
    {
        Requirements.Root();
        await LabLock.AcquireAsync(LockTimeout, cancellationToken);
        await RunScriptAsync(["down"], cancellationToken);
    }

    /// <summary>A lab name, an alias, or any name under exfil.test (answered with evil.test's addresses).</summary>
    public LabHost Host(string name)
    {
        if (_hosts.TryGetValue(name, out var host))
        {
            return host;
        }

        if (name.EndsWith("." + ExfilDomain, StringComparison.OrdinalIgnoreCase) ||
            name.Equals(ExfilDomain, StringComparison.OrdinalIgnoreCase))
        {
            var evil = _hosts["evil.test"];
            return evil with { Name = name };
        }

        throw new ArgumentException($"The lab has no host named '{name}'.", nameof(name));
    }

    public async Task SetDelayAsync(TimeSpan delay, CancellationToken cancellationToken = default)
    {
        await RunScriptAsync(["delay", DelayMilliseconds(delay)], cancellationToken);
        Delay = delay;
    }

    /// <summary>The processes running inside the lab namespace (resolver, servers, delayer).</summary>
    public async Task<IReadOnlyList<int>> ProcessIdsAsync(CancellationToken cancellationToken = default)
    {
        var result = await Command.RunAsync("ip", ["netns", "pids", NamespaceName], cancellationToken: cancellationToken);
        EnsureSucceeded("ip netns pids", result);
        return result.StandardOutput
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(int.Parse)
            .ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await StopAnyAsync();
    }

    private static string DelayMilliseconds(TimeSpan delay) =>
        ((long)Math.Round(delay.TotalMilliseconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task RunScriptAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        // Generous: the first "up" on a fresh machine installs Debian packages.
        var result = await Command.RunAsync(ScriptPath, arguments, TimeSpan.FromMinutes(10), cancellationToken);
        EnsureSucceeded("lab.sh " + string.Join(' ', arguments), result);
    }

    private static void EnsureSucceeded(string what, CommandResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException($"{what} failed: {result}");
        }
    }
}
