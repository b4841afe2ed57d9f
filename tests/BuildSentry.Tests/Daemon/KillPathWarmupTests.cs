using BuildSentry.Daemon;

namespace BuildSentry.Tests.Daemon;

public sealed class KillPathWarmupTests
{
    [Fact]
    public void The_warmup_job_reaches_the_kill_and_formats_its_alerts_without_touching_the_host()
    {
        var (kills, formatted) = KillPathWarmup.Run("agent-1");

        // One kill asked of the recording enforcer (the first violation; the job is then ended), and each
        // violation's alert formatted in every wire format plus the journal line.
        Assert.Equal(1, kills);
        Assert.True(formatted >= 5, $"{formatted} texts formatted");
    }
}
