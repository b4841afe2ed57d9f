using BuildSentry.Testing.Lab;

namespace BuildSentry.Linux.Tests.Lab;

[Collection(NetworkLabCollection.Name)]
public sealed class NetworkLabJobTests(NetworkLabFixture shared)
{
    private NetworkLab Lab => shared.Lab;

    [Fact]
    public async Task A_job_sees_the_lab_resolver_while_the_host_keeps_its_own()
    {
        var result = await Lab.RunInLabAsync("cat", "/etc/resolv.conf");

        Assert.Contains($"nameserver {NetworkLab.ResolverAddress}", result.StandardOutput);
        Assert.DoesNotContain(NetworkLab.ResolverAddress.ToString(), await File.ReadAllTextAsync("/etc/resolv.conf"));
    }

    [Fact]
    public async Task A_started_jobs_process_id_is_the_commands_own()
    {
        using var job = Lab.StartJob(["sh", "-c", "echo $$"]);

        var output = await job.StandardOutput.ReadToEndAsync();
        await job.WaitForExitAsync();

        Assert.Equal(job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), output.Trim());
    }

    [Fact]
    public async Task A_job_stays_in_the_agents_network_namespace()
    {
        var result = await Lab.RunInLabAsync("readlink", "/proc/self/ns/net");

        Assert.True(result.Succeeded, result.ToString());
        Assert.Equal(new FileInfo("/proc/self/ns/net").LinkTarget, result.StandardOutput.Trim());
    }
}
