namespace BuildSentry.Testing.Docker;

/// <summary>
/// A private dockerd beside the network lab (scripts/lab/docker.sh): its own data root and socket, the busybox image
/// <see cref="Image"/> imported offline, and the bridge network <see cref="Network"/>, routed to the lab's addresses
/// only. Containers resolve with the lab's resolver (<see cref="Lab.NetworkLab.ResolverAddress"/>).
/// </summary>
public sealed class DockerLab : IAsyncDisposable
{
    public const string Image = "bs-busybox:1";
    public const string Network = "bsnet";
    public const string Cli = "/usr/bin/docker";

    private DockerLab(string directory) => Directory = directory;

    public string Directory { get; }

    public string SocketPath => Path.Combine(Directory, "docker.sock");

    public static string ScriptPath => Path.Combine(RepositoryRoot.Path, "scripts", "lab", "docker.sh");

    /// <summary>The docker command line a job runs, against this dockerd.</summary>
    public string Docker => $"{Cli} -H unix://{SocketPath}";

    /// <summary><c>docker run</c> on the lab network with the lab's resolver, without its leading options' end.</summary>
    public string Run => $"{Docker} run --network {Network} --dns {Lab.NetworkLab.ResolverAddress}";

    /// <summary>Starts dockerd; the network lab must be up (its interface carries the containers' traffic).</summary>
    public static async Task<DockerLab> StartAsync()
    {
        Requirements.Root();
        Requirements.PackageFile("/usr/sbin/dockerd", "docker.io");
        Requirements.PackageFile(Cli, "docker.io");
        Requirements.PackageFile("/bin/busybox", "busybox-static");
        // Short: containerd's sockets live under the exec root, and a unix socket path has 108 bytes.
        var lab = new DockerLab($"/run/bsdock-{Environment.ProcessId}");
        var result = await Command.RunAsync(ScriptPath, ["up", lab.Directory], TimeSpan.FromMinutes(3));
        if (!result.Succeeded)
        {
            await lab.DisposeAsync();
            throw new InvalidOperationException($"docker.sh up failed: {result}");
        }

        return lab;
    }

    /// <summary>Runs the docker CLI against this dockerd.</summary>
    public Task<CommandResult> CliAsync(params string[] arguments) =>
        Command.RunAsync(Cli, ["-H", $"unix://{SocketPath}", .. arguments], TimeSpan.FromSeconds(60));

    public async ValueTask DisposeAsync() => await Command.RunAsync(ScriptPath, ["down", Directory], TimeSpan.FromMinutes(2));
}
