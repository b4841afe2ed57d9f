using BuildSentry.Testing;
using BuildSentry.Testing.Lab;

namespace BuildSentry.Linux.Tests.Lab;

[Collection(NetworkLabLifecycleCollection.Name)]
public sealed class NetworkLabLifecycleTests
{
    [Fact]
    public async Task Disposing_the_lab_leaves_no_namespace_no_veth_no_process_and_no_state()
    {
        var lab = await NetworkLab.StartAsync();
        var processes = await lab.ProcessIdsAsync();
        Assert.NotEmpty(processes);

        await lab.DisposeAsync();

        await AssertNothingIsLeftAsync(processes);
    }

    [Fact]
    public async Task Starting_a_lab_over_the_wreck_of_a_crashed_one_replaces_it()
    {
        var crashed = await NetworkLab.StartAsync(TimeSpan.FromMilliseconds(5));
        var orphans = await crashed.ProcessIdsAsync();
        // A test host killed mid-run leaves the lab standing, and a server may die with it.
        await Command.RunAsync("kill", ["-KILL", orphans[^1].ToString(System.Globalization.CultureInfo.InvariantCulture)]);

        await using var lab = await NetworkLab.StartAsync();

        Assert.All(orphans, pid => Assert.False(IsRunning(pid), $"process {pid} survived"));
        var result = await lab.RunInLabAsync("curl", "-sS", "--max-time", "10", "http://mirror.test/ok");
        Assert.Equal("ok\n", result.StandardOutput);
    }

    [Fact]
    public async Task Stopping_when_no_lab_exists_succeeds()
    {
        await NetworkLab.StopAnyAsync();

        await NetworkLab.StopAnyAsync();

        await AssertNothingIsLeftAsync([]);
    }

    [Fact]
    public async Task A_lab_started_with_a_delay_holds_every_round_trip_for_it()
    {
        await using var lab = await NetworkLab.StartAsync(TimeSpan.FromMilliseconds(30));

        var connect = await ConnectTimer.MedianAsync(lab.Evil.IPv4, NetworkLab.HttpsPort);
        var result = await lab.RunInLabAsync("dig", "evil.test");

        Assert.InRange(connect.TotalMilliseconds, 25, 80);
        Assert.Matches(@"Query time: (2[5-9]|[3-7]\d) msec", result.StandardOutput);
    }

    private static async Task AssertNothingIsLeftAsync(IReadOnlyList<int> processes)
    {
        var namespaces = await Command.RunAsync("ip", ["netns", "list"]);
        var veth = await Command.RunAsync("ip", ["link", "show", NetworkLab.AgentInterface]);

        Assert.DoesNotContain(NetworkLab.NamespaceName, namespaces.StandardOutput);
        Assert.False(veth.Succeeded, $"{NetworkLab.AgentInterface} still exists");
        Assert.False(Directory.Exists(NetworkLab.StateDirectory), "the state directory is still there");
        Assert.All(processes, pid => Assert.False(IsRunning(pid), $"process {pid} survived"));
    }

    // A killed lab process is reparented to pid 1, and until pid 1 reaps it, it lingers as a
    // zombie: dead, holding nothing but its pid.
    private static bool IsRunning(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }

        var state = stat[(stat.LastIndexOf(')') + 2)..];
        return !state.StartsWith('Z') && !state.StartsWith('X');
    }
}
